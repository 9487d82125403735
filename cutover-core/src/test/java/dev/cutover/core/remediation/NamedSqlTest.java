package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The named-parameter lexer of {@code lookup}: what becomes a parameter, and what is left as written. */
class NamedSqlTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("plain", "select id from t where a = :email", "select id from t where a = ?", List.of("email")),
                Arguments.of("two, repeated", "select :a, :b, :a", "select ?, ?, ?", List.of("a", "b", "a")),
                Arguments.of("quoted literal", "select ':email', :x", "select ':email', ?", List.of("x")),
                Arguments.of("doubled quote", "select 'it''s :no', :x", "select 'it''s :no', ?", List.of("x")),
                Arguments.of("E string", "select E'\\'' || :x || E'\\\\:no'", "select E'\\'' || ? || E'\\\\:no'", List.of("x")),
                Arguments.of("E string with an escaped quote", "select E'it\\'s :no', :x", "select E'it\\'s :no', ?", List.of("x")),
                Arguments.of("quoted identifier", "select \":no\" from t where a = :x", "select \":no\" from t where a = ?",
                        List.of("x")),
                Arguments.of("dollar quote", "select $$:no$$, $tag$ :no $$ $tag$, :x", "select $$:no$$, $tag$ :no $$ $tag$, ?",
                        List.of("x")),
                Arguments.of("line comment", "select :x -- :no\n, 1", "select ? -- :no\n, 1", List.of("x")),
                Arguments.of("nested block comment", "select /* a /* :no */ :no */ :x", "select /* a /* :no */ :no */ ?",
                        List.of("x")),
                Arguments.of("casts", "select :x::bigint, a::text", "select ?::bigint, a::text", List.of("x")),
                Arguments.of("jsonb ? operators", "select id from t where doc ? 'k' and doc ?| array['a'] and doc ?& :keys",
                        "select id from t where doc ?? 'k' and doc ??| array['a'] and doc ??& ?", List.of("keys")),
                Arguments.of("array slices", "select (a[1:n])[lo:hi], :x from t", "select (a[1:n])[lo:hi], ? from t", List.of("x")),
                Arguments.of("trailing semicolons", "select :x;;", "select ?", List.of("x")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rewritesOnlyParameters(String name, String sql, String jdbcSql, List<String> parameters) {
        NamedSql parsed = NamedSql.parse(sql);
        assertThat(parsed.jdbcSql()).isEqualTo(jdbcSql);
        assertThat(parsed.parameters()).isEqualTo(parameters);
    }
}

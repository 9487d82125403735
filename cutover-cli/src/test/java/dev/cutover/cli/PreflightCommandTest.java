package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreflightCommandTest {

    @TempDir
    Path dir;

    CliFixture fx;
    HttpServer http;

    @BeforeEach
    void setUp() throws IOException {
        fx = new CliFixture(dir);
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/live", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        http.createContext("/down", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        http.start();
    }

    @AfterEach
    void tearDown() {
        http.stop(0);
        fx.close();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    private Path config(String preflight) {
        return fx.write("preflight.yml", """
                cutover:
                  cutovers:
                    - table: user
                      column: organization_id
                      preflight:
                """ + preflight.indent(8));
    }

    @Test
    void passesWhenEveryConfiguredCheckPasses() {
        fx.db.execute("update \"user\" set organization_id = 1 where organization_id is null");
        Path config = config("""
                assignment-code-live:
                  url: %s
                baseline-window: 1h
                baseline-max-gap: 1h
                reconciliation-sql: select 0
                smoke:
                  - name: create flow
                    command: echo created user smoke-1
                  - name: join flow
                    url: %s
                """.formatted(url("/live?token=secret"), url("/live")));
        assertThat(fx.run("watch", "--config", config.toString(), "--once").exitCode()).isZero();

        CliFixture.Result r = fx.run("preflight", "--config", config.toString(), "--json");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        JsonNode json = r.json();
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("target", "schema", "table", "column", "subject", "exitCode", "passed", "checks");
        assertThat(json.get("passed").asBoolean()).isTrue();
        List<String> names = new ArrayList<>();
        json.get("checks").forEach(c -> names.add(c.get("name").asText()));
        assertThat(names).containsExactly("assignment code live", "null baseline stable", "reconciliation clear",
                "smoke check: create flow", "smoke check: join flow");
        JsonNode live = json.get("checks").get(0);
        List<String> checkFields = new ArrayList<>();
        live.fieldNames().forEachRemaining(checkFields::add);
        assertThat(checkFields).containsExactly("name", "passed", "detail", "durationMs");
        assertThat(live.get("detail").asText()).contains("answered HTTP 200").doesNotContain("secret");
    }

    @Test
    void failsWithExitOneAndRunsEveryCheck() {
        Path config = config("""
                assignment-code-live:
                  url: %s
                reconciliation-sql: select 2
                smoke:
                  - name: create flow
                    command: echo signup returned 500; exit 3
                """.formatted(url("/down")));

        CliFixture.Result r = fx.run("preflight", "--config", config.toString());

        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("[FAIL] assignment code live").contains("HTTP 503")
                .contains("[FAIL] null baseline stable").contains("[FAIL] reconciliation clear")
                .contains("[FAIL] smoke check: create flow").contains("exited 3: signup returned 500");
    }

    @Test
    void itemsThatAreNotConfiguredFailNamingTheirKeys() {
        CliFixture.Result r = fx.run("preflight", "--config", fx.config.toString(), "--json");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.json().get("checks").get(0).get("detail").asText())
                .contains("cutover.cutovers[0].preflight.assignment-code-live.url");
        assertThat(r.json().get("checks").get(3).get("detail").asText()).contains("cutover.cutovers[0].preflight.smoke[0].name");
    }

    @Test
    void badConfigurationNamesTheKeyExitsTwoAndRunsNothing() {
        Path marker = dir.resolve("ran");
        Path config = config("""
                assignment-code-live:
                  url: ftp://deploy.internal/hook
                smoke:
                  - name: create flow
                    command: touch %s
                """.formatted(marker));

        CliFixture.Result r = fx.run("preflight", "--config", config.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("cutover.cutovers[0].preflight.assignment-code-live.url must be an http:// or https:// URL");
        assertThat(Files.exists(marker)).isFalse();

        CliFixture.Result both = fx.run("preflight", "--config", config("""
                smoke:
                  - name: join flow
                    url: %s
                    command: touch %s
                """.formatted(url("/live"), marker)).toString());
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("cutover.cutovers[0].preflight.smoke[0] has both url and command");
        assertThat(Files.exists(marker)).isFalse();
    }

    @Test
    void unreachableDatabaseExitsThree() {
        CliFixture.Result r = fx.run("preflight", "--config", fx.config.toString(), "--url",
                "jdbc:postgresql://127.0.0.1:1/nowhere?user=postgres");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).startsWith("cutover: ");
    }
}

package dev.cutover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NotNullCutoverTest {

    @Test
    void defaultsFollowTheRunbook() {
        NotNullCutover cutover = NotNullCutover.builder("user", "organization_id").references("organizations", "id").build();
        assertThat(cutover.schema()).isEqualTo("public");
        assertThat(cutover.key()).isEmpty();
        assertThat(cutover.referencedSchema()).contains("public");
        assertThat(cutover.onDelete()).contains(ReferentialAction.RESTRICT);
        assertThat(cutover.subject()).isEqualTo("public.\"user\".organization_id");
        assertThat(cutover).hasToString("NotNullCutover[public.\"user\".organization_id, references public.organizations(id) ON DELETE RESTRICT]");
    }

    @Test
    void equalConfigurationsAreEqual() {
        assertThat(NotNullCutover.builder("t", "c").inspect("a", "b").build())
                .isEqualTo(NotNullCutover.builder("t", "c").inspect("a", "b").build())
                .hasSameHashCodeAs(NotNullCutover.builder("t", "c").inspect("a", "b").build())
                .isNotEqualTo(NotNullCutover.builder("t", "c").inspect("b", "a").build());
    }

    @Test
    void emptyIdentifier() {
        assertThatThrownBy(() -> NotNullCutover.builder("", "c"))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("table must not be empty");
        assertThatThrownBy(() -> NotNullCutover.builder("t", "c").schema(""))
                .hasMessage("schema must not be empty");
    }

    @Test
    void nullIdentifier() {
        assertThatThrownBy(() -> NotNullCutover.builder("t", null))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("column must not be null");
    }

    @Test
    void identifierWithNul() {
        assertThatThrownBy(() -> NotNullCutover.builder("t", "c").inspect("a\0b"))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("inspect column must not contain a NUL character, but was \"a\\0b\"");
    }

    @Test
    void identifierOverSixtyThreeBytes() {
        String sixtyFour = "a".repeat(64);
        assertThatThrownBy(() -> NotNullCutover.builder(sixtyFour, "c"))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("table must be at most 63 bytes in UTF-8 (PostgreSQL would truncate it and act on another name), but "
                        + sixtyFour + " has 64");
        // 32 two-byte characters are 64 bytes although only 32 characters.
        String unicode = "é".repeat(32);
        assertThatThrownBy(() -> NotNullCutover.builder("t", unicode))
                .hasMessageEndingWith("has 64");
        assertThat(NotNullCutover.builder("a".repeat(63), "é".repeat(31)).build().table()).hasSize(63);
    }

    @Test
    void keyTwice() {
        assertThatThrownBy(() -> NotNullCutover.builder("t", "c").key("id").key("id2"))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("key was already set to [id]");
    }

    @Test
    void keyMustNotBeTheColumn() {
        assertThatThrownBy(() -> NotNullCutover.builder("t", "c").key("c").build())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("key column c is the column becoming NOT NULL; a key must identify rows whatever that column holds");
    }

    @Test
    void foreignKeyNeedsReferences() {
        assertThatThrownBy(() -> NotNullCutover.builder("t", "c").foreignKey("fk").build())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("foreignKey(fk) needs references(table, column): say which table and column the foreign key should point at");
        assertThatThrownBy(() -> NotNullCutover.builder("t", "c").onDelete(ReferentialAction.CASCADE).build())
                .hasMessage("onDelete(CASCADE) needs references(table, column)");
    }

    @Test
    void namesAreShownAsPostgresQuotesThem() {
        assertThat(NotNullCutover.builder("Mixed Case", "we\"ird").schema("app").build().subject())
                .isEqualTo("app.\"Mixed Case\".\"we\"\"ird\"");
    }
}

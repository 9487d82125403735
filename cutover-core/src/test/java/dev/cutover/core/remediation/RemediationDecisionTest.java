package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RemediationDecisionTest {

    @Test
    void assignNeedsAValue() {
        assertThat(RemediationDecision.assign(3L)).hasToString("assign(3)");
        assertThatThrownBy(() -> RemediationDecision.assign(null))
                .hasMessage("value must not be null: a remediation assigns a value; skip the row instead");
        assertThatThrownBy(() -> RemediationDecision.assign(new byte[] {1}))
                .hasMessage("value must be a scalar such as a number, text, UUID or date, but was a byte[]");
    }

    @Test
    void skipNeedsAReason() {
        assertThat(RemediationDecision.skip("no match")).hasToString("skip(no match)");
        assertThatThrownBy(() -> RemediationDecision.skip(" ")).hasMessage("reason must not be blank: say why the row is skipped");
    }
}

package dev.cutover.spring.boot.autoconfigure;

import dev.cutover.spring.boot.autoconfigure.ConfiguredCutovers.ConfiguredCutover;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The read-only Actuator endpoint {@code cutover}: for each configured cutover its status (as
 * the health indicator says), the NULL count (counted when asked, bounded by
 * {@code cutover.probe-timeout}), the Stage A gate's last decision when the monitor runs, the
 * post-migration verification with each check, and the last five remediation runs from the
 * journal (run id, first and last batch, rows set, whether undone, rows an undo restored, the
 * policies). It changes nothing. Expose it like any endpoint:
 * {@code management.endpoints.web.exposure.include=health,cutover}.
 *
 * <pre>{@code
 * GET /actuator/cutover
 * {"cutovers": {"public.\"user\".organization_id": {"status": "UP", "nullCount": 0, "state": "VERIFIED", ...,
 *     "remediationRuns": [{"runId": "5f0c...", "started": "...", "ended": "...", "assigned": 37, "undone": false, ...}]}}}
 * }</pre>
 */
@Endpoint(id = "cutover")
public class CutoverEndpoint {

    private final CutoverStatus status;

    CutoverEndpoint(CutoverStatus status) {
        this.status = status;
    }

    /** Every configured cutover, by subject. */
    @ReadOperation
    public Map<String, Object> cutovers() {
        Map<String, Object> cutovers = new LinkedHashMap<>();
        for (ConfiguredCutover c : status.cutovers()) {
            cutovers.put(c.cutover().subject(), status.describe(c));
        }
        return Map.of("cutovers", cutovers);
    }
}

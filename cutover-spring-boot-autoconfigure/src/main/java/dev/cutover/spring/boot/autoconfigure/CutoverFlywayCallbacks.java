package dev.cutover.spring.boot.autoconfigure;

import dev.cutover.core.preflight.Preflight;
import dev.cutover.core.preflight.PreflightCheck;
import dev.cutover.core.preflight.PreflightChecks;
import dev.cutover.flyway.CutoverCallback;
import dev.cutover.spring.boot.autoconfigure.ConfiguredCutovers.ConfiguredCutover;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * Builds one {@link CutoverCallback} per configured cutover and puts them behind a single
 * {@link Callback} whose class is made at run time from the Flyway on the class path (as
 * {@link CutoverCallback#portable()} does), so that Spring can read the bean's class on every
 * Boot line.
 */
final class CutoverFlywayCallbacks {

    private CutoverFlywayCallbacks() {
    }

    static List<CutoverCallback> build(ConfiguredCutovers cutovers, CutoverProperties properties, List<PreflightCheck> checks) {
        CutoverProperties.Incident incident = properties.getIncident();
        boolean override = incident.getId() != null && !incident.getId().isBlank();
        if (!override && incident.getReason() != null && !incident.getReason().isBlank()) {
            throw ConfiguredCutovers.invalid("cutover.incident.id", "", "an incident reason needs the incident id (CUTOVER_INCIDENT_ID)");
        }
        List<CutoverCallback> callbacks = new ArrayList<>();
        List<CutoverProperties.Cutover> raw = properties.getCutovers();
        for (int i = 0; i < cutovers.all().size(); i++) {
            ConfiguredCutover c = cutovers.all().get(i);
            CutoverProperties.Cutover entry = raw.get(i);
            CutoverCallback.Builder b = ConfiguredCutovers.callbackBuilder(c.migration(), c.cutover())
                    .baseline(c.baseline());
            ConfiguredCutovers.set(c.property() + ".sample-size", entry.getSampleSize(), b::sampleSize);
            ConfiguredCutovers.set("cutover.probe-timeout", properties.getProbeTimeout(), b::probeTimeout);
            if (properties.getStateSchema() != null) {
                ConfiguredCutovers.set("cutover.state-schema", properties.getStateSchema(), b::stateSchema);
            }
            Preflight.Builder preflight = Preflight.builder();
            boolean anyCheck = false;
            String sql = entry.getPreflight().getReconciliationSql();
            if (sql != null) {
                ConfiguredCutovers.set(c.property() + ".preflight.reconciliation-sql", sql,
                        v -> preflight.check(PreflightChecks.reconciliationClear(v)));
                anyCheck = true;
            }
            for (PreflightCheck check : checks) {
                preflight.check(check);
                anyCheck = true;
            }
            if (anyCheck) {
                b.preflight(preflight.build());
            }
            if (override) {
                String reason = ConfiguredCutovers.required("cutover.incident.reason", incident.getReason(),
                        "why incident " + incident.getId().strip() + " may take a NOT NULL away (CUTOVER_INCIDENT_REASON)");
                ConfiguredCutovers.set("cutover.incident.id", incident.getId(), v -> b.incidentOverride(v, reason));
                if (incident.getActor() != null) {
                    ConfiguredCutovers.set("cutover.incident.actor", incident.getActor(), b::actor);
                }
            } else if (incident.getActor() != null) {
                throw ConfiguredCutovers.invalid("cutover.incident.actor", incident.getActor(),
                        "the actor is recorded only with an incident override: set cutover.incident.id and cutover.incident.reason too");
            }
            callbacks.add(ConfiguredCutovers.attempt(c.property(), "", b::build));
        }
        return callbacks;
    }

    /** All callbacks as one Flyway {@link Callback}, with exactly the methods of the Flyway present. */
    static Callback portable(List<CutoverCallback> callbacks) {
        List<CutoverCallback> all = List.copyOf(callbacks);
        String name = "cutover " + String.join(", ", all.stream().map(c -> c.cutover().subject()).toList());
        return (Callback) Proxy.newProxyInstance(Callback.class.getClassLoader(), new Class<?>[] {Callback.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "supports" -> {
                        boolean any = false;
                        for (CutoverCallback c : all) {
                            any |= c.supports((Event) args[0], (Context) args[1]);
                        }
                        yield any;
                    }
                    case "canHandleInTransaction" -> {
                        boolean every = true;
                        for (CutoverCallback c : all) {
                            if (c.supports((Event) args[0], (Context) args[1])) {
                                every &= c.canHandleInTransaction((Event) args[0], (Context) args[1]);
                            }
                        }
                        yield every;
                    }
                    case "handle" -> {
                        for (CutoverCallback c : all) {
                            if (c.supports((Event) args[0], (Context) args[1])) {
                                c.handle((Event) args[0], (Context) args[1]);
                            }
                        }
                        yield null;
                    }
                    case "getCallbackName" -> name;
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "toString" -> all.toString();
                    default -> {
                        if (method.isDefault()) {
                            yield InvocationHandler.invokeDefault(proxy, method, args);
                        }
                        throw new UnsupportedOperationException("Flyway called " + method + ", which this version of "
                                + "cutover does not know; use a newer cutover");
                    }
                });
    }
}

package dev.cutover.spring.boot.autoconfigure;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.gate.Decision;
import dev.cutover.core.metrics.CutoverMetrics;
import dev.cutover.core.preflight.PreflightCheck;
import dev.cutover.core.verify.VerificationReport;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import javax.sql.DataSource;
import org.flywaydb.core.api.callback.Callback;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.scheduling.TaskScheduler;

/**
 * Guards the application's Flyway migrations with cutover, configured by {@code cutover.*}
 * properties ({@link CutoverProperties}): for every cutover under {@code cutover.cutovers[n]}
 * Flyway gets a {@code CutoverCallback} that refuses the cutover migration while NULL rows
 * remain, verifies it afterwards and refuses later migrations that take the NOT NULL away
 * (unless {@code cutover.incident.id} and {@code cutover.incident.reason} are set).
 * {@link PreflightCheck} beans join every cutover's preflight.
 *
 * <pre>{@code
 * cutover.cutovers[0].table=user
 * cutover.cutovers[0].column=organization_id
 * cutover.cutovers[0].migration=17
 * }</pre>
 *
 * With a {@code DataSource} and at least one cutover it also provides, each when its library is
 * present: {@link CutoverMetrics} bound to the application's Micrometer registry
 * ({@code cutover.nulls} and the rest), a health indicator per cutover and the read-only
 * {@link CutoverEndpoint} (Actuator), and with {@code cutover.monitor.enabled=true} the Stage A
 * monitors ({@link CutoverMonitors}); and the post-migration smoke run on the ready event
 * ({@link PostMigrationSmokeRunner}).
 *
 * The callback reaches Flyway as a {@link Callback} bean, which Spring Boot 3.5 and 4.0 both
 * hand to the Flyway they configure; this runs before Flyway's auto-configuration (whose class
 * moved in Boot 4) so the bean is there when Flyway is built. {@code cutover.enabled=false}
 * turns it all off.
 */
@AutoConfiguration(
        afterName = {
                "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
                "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"},
        beforeName = {
                "org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration",
                "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"})
@ConditionalOnProperty(prefix = "cutover", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(CutoverProperties.class)
public class CutoverAutoConfiguration {

    /** The configured cutovers, checked; a value that cannot be used fails start-up naming its property. */
    @Bean
    @ConditionalOnMissingBean
    public ConfiguredCutovers configuredCutovers(CutoverProperties properties) {
        return ConfiguredCutovers.of(properties);
    }

    /** The Flyway side, present when Flyway is. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.flywaydb.core.Flyway")
    static class FlywayCallbackConfiguration {

        /**
         * One Flyway callback for all configured cutovers. Its class is made at run time from
         * the Flyway on the class path, so Spring can inspect it on Flyway 11.7 (Boot 3.5) as on
         * Flyway 11.14 and later (Boot 4.0); users never call {@code portable()} themselves.
         */
        @Bean
        Callback cutoverFlywayCallback(ConfiguredCutovers cutovers, CutoverProperties properties,
                ObjectProvider<PreflightCheck> checks) {
            List<PreflightCheck> beans = checks.orderedStream().toList();
            return CutoverFlywayCallbacks.portable(CutoverFlywayCallbacks.build(cutovers, properties, beans));
        }
    }

    /** What reads the database on behalf of the on-call: metrics, monitor, health, endpoint. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnSingleCandidate(DataSource.class)
    @Conditional(OnCutoversConfigured.class)
    @Import({ClassicHealthConfiguration.class, ModularHealthConfiguration.class})
    static class DatabaseConfiguration {

        /** The application's database as cutover sees it; connects once, to read the server's version. */
        @Bean
        @ConditionalOnMissingBean
        CutoverDatabase cutoverDatabase(DataSource dataSource, CutoverProperties properties) {
            CutoverDatabase.Builder b = CutoverDatabase.builder(dataSource);
            ConfiguredCutovers.set("cutover.probe-timeout", properties.getProbeTimeout(), b::probeTimeout);
            if (properties.getStateSchema() != null) {
                ConfiguredCutovers.set("cutover.state-schema", properties.getStateSchema(), b::stateSchema);
            }
            return b.build();
        }

        /** The Stage A monitors on the application's task scheduler, started after Flyway and closed with the context. */
        @Bean
        @ConditionalOnProperty(prefix = "cutover.monitor", name = "enabled", havingValue = "true")
        CutoverMonitors cutoverMonitors(CutoverDatabase db, ConfiguredCutovers cutovers, CutoverProperties properties,
                ObjectProvider<CutoverStatus.MetricsHook> metrics, ObjectProvider<TaskScheduler> schedulers) {
            return ConfiguredCutovers.attempt("cutover.monitor.every", properties.getMonitor().getEvery(), () -> {
                // Checks the interval as the monitor will, before anything starts.
                dev.cutover.core.gate.CutoverMonitor.builder(db, cutovers.all().get(0).cutover()).every(properties.getMonitor().getEvery());
                Optional<CutoverStatus.MetricsHook> hook = Optional.ofNullable(metrics.getIfAvailable());
                return new CutoverMonitors(db, cutovers, properties.getMonitor().getEvery(),
                        decision -> hook.ifPresent(h -> h.decided(decision)), schedulers.getIfUnique());
            });
        }

        /** The post-migration smoke run, on Spring Boot's ready event, for each cutover whose run is due. */
        @Bean
        @ConditionalOnProperty(prefix = "cutover.smoke", name = "enabled", havingValue = "true", matchIfMissing = true)
        PostMigrationSmokeRunner cutoverPostMigrationSmoke(CutoverDatabase db, ConfiguredCutovers cutovers,
                ObjectProvider<PreflightCheck> checks) {
            return new PostMigrationSmokeRunner(db, cutovers, checks);
        }

        @Bean
        CutoverStatus cutoverStatus(CutoverDatabase db, ConfiguredCutovers cutovers, ObjectProvider<CutoverMonitors> monitors,
                ObjectProvider<CutoverStatus.MetricsHook> metrics) {
            return new CutoverStatus(db, cutovers, Optional.ofNullable(monitors.getIfAvailable()),
                    Optional.ofNullable(metrics.getIfAvailable()));
        }

        /** Micrometer, when present: the application's registries bind {@link CutoverMetrics}. */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
        @ConditionalOnProperty(prefix = "cutover.metrics", name = "enabled", havingValue = "true", matchIfMissing = true)
        static class MetricsConfiguration {

            @Bean
            @ConditionalOnMissingBean
            CutoverMetrics cutoverMetrics(CutoverDatabase db, ConfiguredCutovers cutovers, CutoverProperties properties) {
                CutoverMetrics.Builder b = CutoverMetrics.builder(db);
                cutovers.all().forEach(c -> b.cutover(c.cutover()));
                ConfiguredCutovers.set("cutover.metrics.count-every", properties.getMetrics().getCountEvery(), b::countEvery);
                return b.build();
            }

            @Bean
            CutoverStatus.MetricsHook cutoverMetricsHook(CutoverMetrics metrics) {
                return new CutoverStatus.MetricsHook() {
                    @Override
                    public OptionalLong count(NotNullCutover cutover) {
                        return metrics.refresh(cutover);
                    }

                    @Override
                    public void verified(NotNullCutover cutover, VerificationReport report) {
                        metrics.record(cutover, report);
                    }

                    @Override
                    public void decided(Decision decision) {
                        metrics.record(decision);
                    }
                };
            }
        }

        /** The read-only {@code cutover} endpoint, when Actuator is present. */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
        static class EndpointConfiguration {

            @Bean
            @ConditionalOnMissingBean
            CutoverEndpoint cutoverEndpoint(CutoverStatus status) {
                return new CutoverEndpoint(status);
            }
        }
    }

    /** Matches when at least one cutover is configured under {@code cutover.cutovers}. */
    static class OnCutoversConfigured extends SpringBootCondition {

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            boolean any = Binder.get(context.getEnvironment())
                    .bind("cutover.cutovers", Bindable.listOf(CutoverProperties.Cutover.class))
                    .map(list -> !list.isEmpty()).orElse(false);
            return any ? ConditionOutcome.match("cutover.cutovers has entries")
                    : ConditionOutcome.noMatch("no cutover.cutovers configured");
        }
    }
}

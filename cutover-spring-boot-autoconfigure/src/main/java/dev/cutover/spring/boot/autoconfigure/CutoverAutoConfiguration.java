package dev.cutover.spring.boot.autoconfigure;

import dev.cutover.core.preflight.PreflightCheck;
import java.util.List;
import org.flywaydb.core.api.callback.Callback;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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
 * The callback reaches Flyway as a {@link Callback} bean, which Spring Boot 3.5 and 4.0 both
 * hand to the Flyway they configure; it runs before Flyway's auto-configuration (whose class
 * moved in Boot 4) so the bean is there when Flyway is built. {@code cutover.enabled=false}
 * turns it all off.
 */
@AutoConfiguration(beforeName = {
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
}

package dev.cutover.spring.boot.autoconfigure;

import dev.cutover.spring.boot.autoconfigure.ConfiguredCutovers.ConfiguredCutover;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The health indicators on Spring Boot 3.5, whose health API is in {@code org.springframework.boot.actuate.health}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
class ClassicHealthConfiguration {

    /** One indicator per cutover, under the health component {@code cutover}. */
    @Bean
    @ConditionalOnMissingBean(name = "cutoverHealthContributor")
    HealthContributor cutoverHealthContributor(CutoverStatus status) {
        Map<String, HealthIndicator> indicators = new LinkedHashMap<>();
        for (ConfiguredCutover c : status.cutovers()) {
            indicators.put(CutoverStatus.healthName(c), () -> {
                CutoverStatus.State state = status.health(c);
                return Health.status(new Status(state.health().name())).withDetails(state.details()).build();
            });
        }
        return CompositeHealthContributor.fromMap(indicators);
    }
}

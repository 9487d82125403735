package dev.cutover.spring.boot.autoconfigure;

import dev.cutover.spring.boot.autoconfigure.ConfiguredCutovers.ConfiguredCutover;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The health indicators on Spring Boot 4, whose health API moved to {@code org.springframework.boot.health.contributor}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
class ModularHealthConfiguration {

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

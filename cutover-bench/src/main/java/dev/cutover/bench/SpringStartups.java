package dev.cutover.bench;

import dev.cutover.core.NotNullCutover;
import dev.cutover.flyway.CutoverCallback;
import dev.cutover.spring.boot.autoconfigure.CutoverAutoConfiguration;
import dev.cutover.testkit.db.ScratchDatabase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.callback.Callback;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Boot application start-ups on the same up-to-date database, each opening its own
 * connection pool and running Flyway's {@code migrate()} (nothing to apply): Flyway alone, the
 * hand-written {@code CutoverCallback} bean, and cutover-spring-boot-starter's auto-configuration
 * from {@code cutover.*} properties. The application is the smallest one that does this: the
 * DataSource, Flyway and cutover auto-configurations, no web server. A start is timed from
 * {@code run()} to the context being ready; closing it is not timed.
 */
final class SpringStartups {

    /** The variants, in the order of the first round; later rounds rotate it, so drift hits them alike. */
    enum Variant {
        FLYWAY_ALONE("Flyway alone (cutover.enabled=false)"),
        CALLBACK_BEAN("hand-written CutoverCallback bean (cutover.enabled=false)"),
        STARTER("starter: cutover.cutovers[0].* properties");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    /** The application: Spring Boot's DataSource and Flyway auto-configuration, and cutover's. */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration({DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class, CutoverAutoConfiguration.class})
    static class Application {
    }

    /** The hand-written route of docs/spring-boot.md: the callback as a bean. */
    @Configuration(proxyBeanMethods = false)
    static class CallbackBean {
        @Bean
        Callback cutoverCallback() {
            return CutoverCallback.forMigration(FlywayStartupBench.CUTOVER_VERSION, FlywayStartupBench.cutover()).build().portable();
        }
    }

    private final ScratchDatabase db;
    private final String location;

    SpringStartups(ScratchDatabase db, String location) {
        this.db = db;
        this.location = location;
    }

    /** {@code runs} timed starts per variant after {@code warmup} rounds; nanoseconds per variant. */
    Map<Variant, long[]> measure(int runs, int warmup) {
        Variant[] variants = Variant.values();
        Map<Variant, List<Long>> times = new LinkedHashMap<>();
        for (Variant v : variants) {
            times.put(v, new ArrayList<>());
        }
        for (int round = -warmup; round < runs; round++) {
            for (int i = 0; i < variants.length; i++) {
                Variant v = variants[Math.floorMod(round + i, variants.length)];
                long elapsed = time(v);
                if (round >= 0) {
                    times.get(v).add(elapsed);
                }
            }
        }
        Map<Variant, long[]> result = new LinkedHashMap<>();
        times.forEach((v, list) -> result.put(v, list.stream().mapToLong(Long::longValue).toArray()));
        return result;
    }

    private long time(Variant variant) {
        long start = System.nanoTime();
        ConfigurableApplicationContext context = builder(variant).run();
        long elapsed = System.nanoTime() - start;
        int callbacks = context.getBeansOfType(Callback.class).size();
        context.close();
        if (callbacks != (variant == Variant.FLYWAY_ALONE ? 0 : 1)) {
            throw new IllegalStateException(variant + " started with " + callbacks + " Flyway callback beans");
        }
        return elapsed;
    }

    private SpringApplicationBuilder builder(Variant variant) {
        SpringApplicationBuilder b = new SpringApplicationBuilder(Application.class).web(WebApplicationType.NONE)
                .logStartupInfo(false)
                .properties("spring.main.banner-mode=off", "spring.main.register-shutdown-hook=false",
                        "spring.datasource.url=" + db.jdbcUrl(), "spring.flyway.locations=" + location,
                        "spring.datasource.hikari.maximum-pool-size=4");
        if (db.user() != null) {
            b.properties("spring.datasource.username=" + db.user());
        }
        if (db.password() != null) {
            b.properties("spring.datasource.password=" + db.password());
        }
        return switch (variant) {
            case FLYWAY_ALONE -> b.properties("cutover.enabled=false");
            case CALLBACK_BEAN -> b.sources(CallbackBean.class).properties("cutover.enabled=false");
            case STARTER -> b.properties("cutover.cutovers[0].table=user", "cutover.cutovers[0].column=organization_id",
                    "cutover.cutovers[0].migration=" + FlywayStartupBench.CUTOVER_VERSION,
                    "cutover.cutovers[0].references.table=organizations", "cutover.cutovers[0].references.column=id",
                    "cutover.cutovers[0].on-delete=restrict",
                    "cutover.cutovers[0].foreign-key=user_organization_id_organizations_id_fk",
                    "cutover.cutovers[0].inspect=id,email,created_at", "cutover.cutovers[0].newest-first-by=created_at",
                    "cutover.cutovers[0].sensitive=email");
        };
    }
}

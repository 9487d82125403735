package dev.cutover.examples.bench;

import dev.cutover.examples.starter.SignupApplication;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.flyway.CutoverCallback;
import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.flywaydb.core.api.callback.Callback;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the starter adds to the application's start-up on an up-to-date database, against the
 * hand-written callback bean and against no cutover at all: the application (no web server) is
 * started and closed, the three variants interleaved so that drift hits them alike. Not a test:
 * run by hand on each Boot line (see docs/benchmarks/flyway-startup.md). In a package of its own, so the
 * application's component scan never finds its hand-written callback.
 *
 * <pre>{@code
 * mvn -f cutover-examples/spring-boot-starter/pom.xml test-compile dependency:build-classpath \
 *     -Dmdep.includeScope=test -Dmdep.outputFile=target/cp.txt -Dspring-boot.version=4.0.7
 * java -cp target/spring-boot-4.0.7/test-classes:target/spring-boot-4.0.7/classes:$(cat target/cp.txt) \
 *     dev.cutover.examples.bench.StarterStartupBench 20 'jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres'
 * }</pre>
 */
public final class StarterStartupBench {

    private StarterStartupBench() {
    }

    /** The hand-written route: the callback as a bean, the starter switched off. */
    @Configuration(proxyBeanMethods = false)
    static class HandWrittenCallback {
        @Bean
        Callback cutoverCallback() {
            NotNullCutover cutover = NotNullCutover.builder("user", "organization_id").references("organizations", "id")
                    .onDelete(ReferentialAction.RESTRICT).foreignKey("user_organization_id_organizations_id_fk")
                    .inspect("id", "email", "created_at").newestFirstBy("created_at").sensitive("email").build();
            return CutoverCallback.forMigration("17", cutover).build().portable();
        }
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        String url = args.length > 1 ? args[1] : "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
        try (ScratchDatabase db = PostgresServers.jdbcUrl(url).createDatabase()) {
            String[] props = {"spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
                    "logging.level.root=WARN"};
            start(props, "starter").close();   // migrates to V17 once: from now on the database is up to date
            List<Long> starter = new ArrayList<>();
            List<Long> bean = new ArrayList<>();
            List<Long> none = new ArrayList<>();
            for (int i = -3; i < runs; i++) {
                long a = time(props, "starter");
                long b = time(props, "bean");
                long c = time(props, "none");
                if (i >= 0) {
                    starter.add(a);
                    bean.add(b);
                    none.add(c);
                }
            }
            System.out.printf(Locale.ROOT, "Spring Boot %s, %d runs each, start-up to ready and close, median / p90 (ms):%n",
                    SpringBootVersion.getVersion(), runs);
            System.out.printf(Locale.ROOT, "| variant | median | p90 |%n|---|---|---|%n");
            print("starter (3 properties; callback, failure analysis, metrics, health, endpoint beans)", starter);
            print("hand-written Callback bean, starter off", bean);
            print("no cutover (starter off, no callback)", none);
        }
    }

    private static long time(String[] props, String variant) {
        long start = System.nanoTime();
        start(props, variant).close();
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static ConfigurableApplicationContext start(String[] props, String variant) {
        SpringApplicationBuilder b = new SpringApplicationBuilder(SignupApplication.class).web(WebApplicationType.NONE)
                .properties(props);
        switch (variant) {
            case "bean" -> b.sources(HandWrittenCallback.class).properties("cutover.enabled=false");
            case "none" -> b.properties("cutover.enabled=false");
            default -> { }
        }
        return b.run();
    }

    private static void print(String name, List<Long> times) {
        List<Long> sorted = times.stream().sorted().toList();
        System.out.printf(Locale.ROOT, "| %s | %d | %d |%n", name, sorted.get(sorted.size() / 2),
                sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.9) - 1)));
    }
}

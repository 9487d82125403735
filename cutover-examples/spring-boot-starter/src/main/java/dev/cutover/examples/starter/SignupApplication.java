package dev.cutover.examples.starter;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A signup application whose Flyway migration V17 makes {@code "user".organization_id} NOT NULL.
 * It has no cutover code: cutover-spring-boot-starter and the {@code cutover.*} properties in
 * {@code application.properties} make Flyway refuse V17 while users without an organization
 * remain, verify it afterwards, and refuse a later migration that drops the NOT NULL.
 *
 * <pre>{@code
 * java -jar app.jar --spring.datasource.url=jdbc:postgresql://localhost:5432/app --spring.datasource.username=app
 * }</pre>
 */
@SpringBootApplication
public class SignupApplication {

    public static void main(String[] args) {
        SpringApplication.run(SignupApplication.class, args);
    }
}

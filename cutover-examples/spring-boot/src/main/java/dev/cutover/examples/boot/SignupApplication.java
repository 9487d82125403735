package dev.cutover.examples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A signup application whose Flyway migration V17 makes {@code "user".organization_id} NOT NULL.
 * {@link CutoverConfiguration} hands the cutover callback to the Flyway that Spring Boot runs at
 * start-up: while users without an organization remain, the application does not start.
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

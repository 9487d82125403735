package dev.cutover.examples.starter;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Signup as the runbook wants it after the cutover: the organization and the user are created in
 * one transaction, so no user is ever left without an organization.
 */
@Service
public class SignupService {

    private final JdbcClient jdbc;

    public SignupService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Creates an organization with this name and its first user; returns the user's id. */
    @Transactional
    public long signUp(String email, String organizationName) {
        long organizationId = jdbc.sql("insert into organizations (name) values (:name) returning id")
                .param("name", organizationName)
                .query(Long.class)
                .single();
        return jdbc.sql("insert into \"user\" (email, organization_id) values (:email, :organizationId) returning id")
                .param("email", email)
                .param("organizationId", organizationId)
                .query(Long.class)
                .single();
    }
}

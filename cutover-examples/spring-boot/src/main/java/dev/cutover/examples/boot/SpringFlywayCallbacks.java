package dev.cutover.examples.boot;

import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * Makes a Flyway {@link Callback} from a library safe to declare as a Spring bean on every Flyway
 * line Spring Boot manages.
 *
 * <p>{@code CutoverCallback} is compiled against Flyway 13, where {@code Callback} extends
 * {@code GenericCallback<CallbackEvent>} (since Flyway 11.14), so the class carries bridge methods
 * whose signatures name {@code CallbackEvent}. Spring reads the declared methods of every bean's
 * class (looking for lifecycle annotations), which fails with
 * {@code NoClassDefFoundError: org/flywaydb/core/api/callback/CallbackEvent} on Flyway before 11.14,
 * i.e. on Spring Boot 3.5 (Flyway 11.7). Flyway itself never reads them, so the callback works
 * there once Spring does not see its class: this wrapper, compiled with the application against
 * the application's own Flyway, is what Spring sees. With {@code CallbackEvent} present (Spring
 * Boot 4.0, Flyway 11.14+) the callback is returned as it is.
 *
 * <pre>{@code
 * @Bean
 * Callback cutoverCallback(NotNullCutover cutover) {
 *     return SpringFlywayCallbacks.forSpring(CutoverCallback.forMigration("17", cutover).build());
 * }
 * }</pre>
 */
public final class SpringFlywayCallbacks {

    private static final boolean FLYWAY_HAS_CALLBACK_EVENT = isPresent("org.flywaydb.core.api.callback.CallbackEvent");

    private SpringFlywayCallbacks() {
    }

    /** The callback itself where Spring can read its class, else a wrapper delegating to it. */
    public static Callback forSpring(Callback callback) {
        return FLYWAY_HAS_CALLBACK_EVENT ? callback : new Delegating(callback);
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, SpringFlywayCallbacks.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Delegates the four methods Flyway calls; compiled against the application's Flyway. */
    static final class Delegating implements Callback {

        private final Callback delegate;

        Delegating(Callback delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean supports(Event event, Context context) {
            return delegate.supports(event, context);
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return delegate.canHandleInTransaction(event, context);
        }

        @Override
        public void handle(Event event, Context context) {
            delegate.handle(event, context);
        }

        @Override
        public String getCallbackName() {
            return delegate.getCallbackName();
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }
}

package dev.cutover.testkit;

import java.util.List;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * A {@code @Nested} class shares its outermost class's database, so it cannot choose a server or
 * Flyway locations of its own. Options on it that repeat the outermost class's are fine; options
 * that differ are refused before any of its tests run, instead of being ignored.
 */
final class NestedOptions {

    private NestedOptions() {
    }

    /**
     * @param registrations the extensions registered for a context (its classes, outermost first)
     * @param effective     the options the outermost class's database is made with
     * @throws ExtensionConfigurationException naming the nested class, its options, and where to put them
     */
    static void check(Registrations registrations, CutoverExtension.Options effective) {
        List<Class<?>> classes = registrations.classes();
        Class<?> outermost = classes.get(0);
        for (Class<?> nested : classes.subList(1, classes.size())) {
            CutoverTest annotation = CutoverExtension.Options.annotationOn(nested);
            if (annotation != null) {
                refuseIfDifferent("@CutoverTest options", nested, CutoverExtension.Options.of(annotation, nested), outermost, effective);
            }
            for (CutoverExtension extension : registrations.staticFieldsOn(nested)) {
                refuseIfDifferent("The options of its CutoverExtension field", nested, extension.options(), outermost, effective);
            }
        }
    }

    private static void refuseIfDifferent(String what, Class<?> nested, CutoverExtension.Options own, Class<?> outermost,
                                          CutoverExtension.Options effective) {
        if (own == null || own.isEmpty() || own.equals(effective)) {
            return;
        }
        String outer = Registrations.displayName(outermost);
        String inner = Registrations.displayName(nested);
        throw new ExtensionConfigurationException(what + " on the @Nested class " + inner + " (" + own + ") are not applied: "
                + "nested classes share the database of their outermost class " + outer + ", made with other options ("
                + (effective.isEmpty() ? "the provider chain's choice" : effective.toString()) + "). Put the options on "
                + outer + ", or make " + inner + " a test class of its own.");
    }
}

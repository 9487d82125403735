package dev.cutover.testkit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestInstances;

/**
 * The {@link CutoverExtension} instances JUnit registered for a context, so that exactly one of
 * them answers. {@code @CutoverTest} registers one; every {@code @RegisterExtension} field holding
 * a {@code CutoverExtension} (whatever its declared type) registers another, on the test class, its
 * superclasses and, for a {@code @Nested} class, the classes around it. Two answering instances would
 * make JUnit fail with "competing ParameterResolvers".
 *
 * <p>The rule: the field of the outermost class wins; a non-static field counts once the test
 * instance exists (JUnit registers it only then); {@code @CutoverTest} answers when no field does.
 */
final class Registrations {

    /** A non-static field holding (or declared as) a {@code CutoverExtension}; its value once the instance exists. */
    record InstanceField(Class<?> declaringClass, String name, Optional<CutoverExtension> value) {
    }

    /** A static field's {@code CutoverExtension}, with the class it was found on (outermost first). */
    record StaticField(Class<?> testClass, CutoverExtension extension) {
    }

    private final List<Class<?>> classes;
    private final List<StaticField> staticFields;
    private final List<InstanceField> instanceFields;

    private Registrations(List<Class<?>> classes, List<StaticField> staticFields, List<InstanceField> instanceFields) {
        this.classes = classes;
        this.staticFields = staticFields;
        this.instanceFields = instanceFields;
    }

    static Registrations of(ExtensionContext context) {
        List<Class<?>> classes = classesOutermostFirst(context);
        List<Object> instances = context.getTestInstances().map(TestInstances::getAllInstances).orElse(List.of());
        List<StaticField> staticFields = new ArrayList<>();
        List<InstanceField> instanceFields = new ArrayList<>();
        for (Class<?> testClass : classes) {
            for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    if (!field.isAnnotationPresent(RegisterExtension.class)) {
                        continue;
                    }
                    if (Modifier.isStatic(field.getModifiers())) {
                        if (read(field, null) instanceof CutoverExtension extension) {
                            staticFields.add(new StaticField(testClass, extension));
                        }
                    } else {
                        instanceField(field, instances).ifPresent(instanceFields::add);
                    }
                }
            }
        }
        return new Registrations(List.copyOf(classes), staticFields, instanceFields);
    }

    private static Optional<InstanceField> instanceField(Field field, List<Object> instances) {
        Object owner = instances.stream().filter(field.getDeclaringClass()::isInstance).findFirst().orElse(null);
        Object value = owner == null ? null : read(field, owner);
        if (value instanceof CutoverExtension extension) {
            return Optional.of(new InstanceField(field.getDeclaringClass(), field.getName(), Optional.of(extension)));
        }
        if (value == null && CutoverExtension.class.isAssignableFrom(field.getType())) {
            return Optional.of(new InstanceField(field.getDeclaringClass(), field.getName(), Optional.empty()));
        }
        return Optional.empty();
    }

    private static Object read(Field field, Object instance) {
        try {
            return field.trySetAccessible() ? field.get(instance) : null;
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
    }

    private static List<Class<?>> classesOutermostFirst(ExtensionContext context) {
        List<Class<?>> classes = new ArrayList<>();
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            c.get().getTestClass().ifPresent(testClass -> {
                if (classes.isEmpty() || classes.get(classes.size() - 1) != testClass) {
                    classes.add(testClass);
                }
            });
        }
        Collections.reverse(classes);
        return classes;
    }

    /** The instance that answers, when a field registered one: the outermost static field, else the first registered non-static one. */
    Optional<CutoverExtension> fieldWinner() {
        if (!staticFields.isEmpty()) {
            return Optional.of(staticFields.get(0).extension());
        }
        return instanceFields.stream().flatMap(f -> f.value().stream()).findFirst();
    }

    /** A non-static field JUnit has not registered yet (the test instance does not exist yet). */
    Optional<InstanceField> unregisteredInstanceField() {
        return instanceFields.stream().filter(f -> f.value().isEmpty()).findFirst();
    }

    /** Whether any class of the context carries {@code @CutoverTest}, so that JUnit registered the annotation's instance. */
    boolean annotated() {
        return classes.stream().anyMatch(c -> CutoverExtension.Options.annotationOn(c) != null);
    }

    /** The test classes of the context, outermost first; more than one for a {@code @Nested} class. */
    List<Class<?>> classes() {
        return classes;
    }

    /** The static fields' extensions found on this test class (not on its enclosing classes). */
    List<CutoverExtension> staticFieldsOn(Class<?> testClass) {
        return staticFields.stream().filter(f -> f.testClass() == testClass).map(StaticField::extension).toList();
    }

    /** A class's name as written in code, without its package: {@code Outer.Inner}. */
    static String displayName(Class<?> c) {
        String name = c.getName();
        int dot = name.lastIndexOf('.');
        return (dot < 0 ? name : name.substring(dot + 1)).replace('$', '.');
    }
}

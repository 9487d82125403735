package dev.cutover.core.gate;

import dev.cutover.core.CutoverConfigurationException;
import java.lang.management.ManagementFactory;
import java.util.UUID;

/** The names monitors write into their observations. */
final class Instances {

    private static final int MAX = 200;

    private Instances() {
    }

    /** {@code <pid>@<host>/<8 hex digits>}: this process, and one monitor in it. */
    static String byDefault() {
        return ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String require(String name) {
        if (name == null || name.isBlank() || name.strip().length() > MAX) {
            throw new CutoverConfigurationException("instance must be a name of 1 to " + MAX + " characters, e.g. the pod's "
                    + "name, but was " + (name == null ? "null" : name.isBlank() ? "blank" : name.strip().length()
                    + " characters long"));
        }
        return name.strip();
    }
}

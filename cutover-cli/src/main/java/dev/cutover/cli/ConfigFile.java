package dev.cutover.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a YAML or properties file into flat keys as Spring Boot names them
 * ({@code cutover.cutovers[0].table}), so that both formats and the starter share one set of keys.
 * Segments written in camelCase or snake_case are read as kebab-case ({@code onDelete} is
 * {@code on-delete}). Keys outside {@code cutover.} are ignored, so an application.yml can be given.
 */
final class ConfigFile {

    private ConfigFile() {
    }

    /** The flat keys of a file: {@code .yml}/{@code .yaml} as YAML, anything else as properties. */
    static Map<String, String> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw CliException.usage("Configuration file " + file + " does not exist or is not a file: give --config a YAML "
                    + "or properties file");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Map<String, String> flat = new LinkedHashMap<>();
            if (name.endsWith(".yml") || name.endsWith(".yaml")) {
                Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
                if (root != null && !(root instanceof Map<?, ?>)) {
                    throw CliException.usage("Configuration file " + file + " must hold a YAML mapping with a top-level "
                            + "\"cutover:\" key");
                }
                flatten("", root, flat);
            } else {
                Properties properties = new Properties();
                properties.load(reader);
                for (String key : properties.stringPropertyNames()) {
                    flat.put(key, properties.getProperty(key));
                }
            }
            Map<String, String> normalized = new LinkedHashMap<>();
            flat.forEach((key, value) -> {
                String k = normalize(key);
                if (k.equals("cutover") || k.startsWith("cutover.")) {
                    normalized.put(k, value);
                }
            });
            return normalized;
        } catch (IOException e) {
            throw CliException.usage("Could not read configuration file " + file + ": " + e.getMessage());
        } catch (YAMLException e) {
            throw CliException.usage("Configuration file " + file + " is not valid YAML: " + e.getMessage());
        }
    }

    private static void flatten(String prefix, Object value, Map<String, String> into) {
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                flatten(prefix.isEmpty() ? key : prefix + "." + key, e.getValue(), into);
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "[" + i + "]", list.get(i), into);
            }
        } else if (value != null) {
            into.put(prefix, String.valueOf(value));
        }
    }

    /** {@code cutover.cutovers[0].onDelete} and {@code cutover.cutovers[0].on_delete} become {@code ...on-delete}. */
    static String normalize(String key) {
        StringBuilder s = new StringBuilder(key.length() + 4);
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && key.charAt(i - 1) != '.' && key.charAt(i - 1) != '-') {
                    s.append('-');
                }
                s.append(Character.toLowerCase(c));
            } else if (c == '_') {
                s.append('-');
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }
}

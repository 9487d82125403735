package dev.cutover.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * JSON output. Documents are built from ordered maps and lists, so the field order is the
 * documented one; any value that is not a string, number, boolean, map or list is written as its
 * text (timestamps, UUIDs, dates).
 */
final class Json {

    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT = new ObjectMapper();

    private Json() {
    }

    /** An ordered object from key-value pairs. */
    static Map<String, Object> object(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], plain(keyValues[i + 1]));
        }
        return map;
    }

    /** A value JSON can hold as it is. */
    static Object plain(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
                || value instanceof Long || value instanceof Short || value instanceof BigInteger || value instanceof BigDecimal
                || value instanceof Double || value instanceof Float) {
            return value;
        }
        if (value instanceof Optional<?> o) {
            return plain(o.orElse(null));
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), plain(v)));
            return copy;
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>(l.size());
            l.forEach(v -> copy.add(plain(v)));
            return copy;
        }
        return String.valueOf(value);
    }

    static void print(PrintWriter out, Object document) {
        out.println(write(PRETTY, document));
        out.flush();
    }

    /** One line: for a stream of observations. */
    static void line(PrintWriter out, Object document) {
        out.println(write(COMPACT, document));
        out.flush();
    }

    private static String write(ObjectMapper mapper, Object document) {
        try {
            return mapper.writeValueAsString(plain(document));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write JSON", e);
        }
    }
}

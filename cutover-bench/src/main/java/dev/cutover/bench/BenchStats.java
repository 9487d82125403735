package dev.cutover.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Statistics the benchmarks share. */
final class BenchStats {

    private BenchStats() {
    }

    /** Nearest-rank percentile ({@code p} from 0 to 1) of the values; 0 when there are none. */
    static long percentile(List<Long> values, double p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}

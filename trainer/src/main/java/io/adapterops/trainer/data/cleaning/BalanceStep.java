package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Brings every category to {@code target} rows: larger ones are down-sampled without replacement,
 * smaller ones topped up with seeded copies. Rows without a category are kept as they are. The
 * same seed gives the same rows.
 */
final class BalanceStep {
    private final int target;
    private final long seed;

    BalanceStep(int target, long seed) {
        this.target = target;
        this.seed = seed;
    }

    String name() {
        return "balance";
    }

    List<Example> apply(List<Example> rows, StepTally tally) {
        Map<String, List<Example>> byCategory = new LinkedHashMap<>();
        List<Example> out = new ArrayList<>();
        for (Example e : rows) {
            if (e.category() == null) {
                out.add(e);
            } else {
                byCategory.computeIfAbsent(e.category(), c -> new ArrayList<>()).add(e);
            }
        }
        tally.count("uncategorized", out.size());
        for (Map.Entry<String, List<Example>> entry : byCategory.entrySet()) {
            List<Example> group = entry.getValue();
            // Seeded per category, so adding one category does not reshuffle the others.
            SplittableRandom random = new SplittableRandom(seed ^ entry.getKey().hashCode());
            out.addAll(group.size() > target ? downSample(group, random, tally) : upSample(group, random, tally));
            tally.count("category." + entry.getKey() + ".before", group.size());
        }
        return out;
    }

    /** A seeded partial Fisher-Yates shuffle picks which rows stay; they keep their order. */
    private List<Example> downSample(List<Example> group, SplittableRandom random, StepTally tally) {
        int[] index = new int[group.size()];
        for (int i = 0; i < index.length; i++) {
            index[i] = i;
        }
        for (int i = 0; i < target; i++) {
            int j = i + random.nextInt(index.length - i);
            int t = index[i];
            index[i] = index[j];
            index[j] = t;
        }
        boolean[] keep = new boolean[group.size()];
        for (int i = 0; i < target; i++) {
            keep[index[i]] = true;
        }
        List<Example> out = new ArrayList<>(target);
        for (int i = 0; i < group.size(); i++) {
            if (keep[i]) {
                out.add(group.get(i));
            } else {
                tally.removed();
            }
        }
        return out;
    }

    private List<Example> upSample(List<Example> group, SplittableRandom random, StepTally tally) {
        List<Example> out = new ArrayList<>(group);
        while (out.size() < target) {
            out.add(group.get(random.nextInt(group.size())));
        }
        tally.added(out.size() - group.size());
        return out;
    }
}

package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SamplingTest {

    private static final float[] LOGITS = {2.0f, 1.9f, -1.0f, 0.5f, 1.0f};

    @Test
    void greedyPicksTheLargestLogit() {
        assertEquals(0, Sampling.next(LOGITS, List.of(), GenerationOptions.greedy(1), new Random(1)));
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        GenerationOptions o = GenerationOptions.greedy(1).withRepetitionPenalty(1.5);
        assertEquals(1, Sampling.next(LOGITS, List.of(0), o, new Random(1)), "2.0/1.5 < 1.9");
        float[] neg = {-1.0f, -1.2f};
        assertEquals(1, Sampling.next(neg, List.of(0), o, new Random(1)), "-1.0*1.5 < -1.2");
    }

    @Test
    void topKAndTopPOnlyDrawFromTheKeptTokens() {
        GenerationOptions k2 = GenerationOptions.greedy(1).withSampling(5.0, 2, 1.0, 0);
        GenerationOptions p = GenerationOptions.greedy(1).withSampling(1.0, 0, 0.5, 0);
        Random rnd = new Random(3);
        boolean sawOne = false;
        for (int i = 0; i < 500; i++) {
            int t = Sampling.next(LOGITS, List.of(), k2, rnd);
            assertTrue(t == 0 || t == 1, "top-k 2 drew " + t);
            sawOne |= t == 1;
            int q = Sampling.next(new float[] {3f, 2f, 0f}, List.of(), p, rnd);
            assertEquals(0, q, "p(0)=0.67 >= 0.5 keeps token 0 alone");
        }
        assertTrue(sawOne);
        int[] counts = new int[5];
        GenerationOptions hot = GenerationOptions.greedy(1).withSampling(1.0, 0, 1.0, 0);
        for (int i = 0; i < 20000; i++) {
            counts[Sampling.next(LOGITS, List.of(), hot, rnd)]++;
        }
        double z = 0;
        for (float l : LOGITS) {
            z += Math.exp(l);
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(Math.exp(LOGITS[i]) / z, counts[i] / 20000.0, 0.015, "token " + i);
        }
    }

    /** top-k's threshold by selection and top-p's walk by a heap draw exactly what the full sorts drew. */
    @Test
    void theFastTopKAndTopPDrawTheSameTokensAsFullSorts() {
        Random data = new Random(17);
        int compared = 0;
        int distinct = 0;
        for (int vocab : new int[] {5, 37, 8192}) {
            for (int row = 0; row < 6; row++) {
                float[] logits = new float[vocab];
                for (int i = 0; i < vocab; i++) {
                    // coarse values make ties, which top-p must break by token id as the stable sort did
                    logits[i] = row % 2 == 0 ? (float) (data.nextGaussian() * 3) : Math.round(data.nextGaussian() * 2);
                }
                for (double temperature : new double[] {0.5, 1.0, 1.3}) {
                    for (int topK : new int[] {0, 1, 5, 50, vocab - 1}) {
                        for (double topP : new double[] {1.0, 0.95, 0.5, 0.1}) {
                            GenerationOptions o = GenerationOptions.greedy(1).withSampling(temperature, topK, topP, 0)
                                    .withRepetitionPenalty(row % 3 == 0 ? 1.2 : 1.0);
                            List<Integer> seen = List.of(0, vocab / 2);
                            Random fast = new Random(row * 1000L + topK);
                            Random reference = new Random(row * 1000L + topK);
                            Set<Integer> drawn = new HashSet<>();
                            for (int draw = 0; draw < (vocab > 1000 ? 4 : 20); draw++) {
                                int expected = ReferenceSampling.next(logits, seen, o, reference);
                                assertEquals(expected, Sampling.next(logits, seen, o, fast),
                                        "vocab " + vocab + " row " + row + " " + o);
                                drawn.add(expected);
                                compared++;
                            }
                            distinct += drawn.size();
                        }
                    }
                }
            }
        }
        System.out.printf("fast sampling drew the reference's token in all %d draws (%d distinct tokens over the "
                + "option sets)%n", compared, distinct);
        assertTrue(distinct > compared / 20, "the draws vary, so the comparison means something");
    }

    @Test
    void selectFindsWhatAFullSortPutsAtTheIndex() {
        Random r = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            double[] a = new double[1 + r.nextInt(300)];
            for (int i = 0; i < a.length; i++) {
                a[i] = switch (r.nextInt(8)) {
                    case 0 -> Double.NEGATIVE_INFINITY;
                    case 1 -> -0.0;
                    case 2 -> 0.0;
                    case 3 -> r.nextInt(3);
                    default -> r.nextGaussian();
                };
            }
            double[] sorted = a.clone();
            Arrays.sort(sorted);
            int index = r.nextInt(a.length);
            assertEquals(Double.doubleToRawLongBits(sorted[index]),
                    Double.doubleToRawLongBits(Sampling.select(a.clone(), index)), "index " + index);
        }
    }
}

package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
}

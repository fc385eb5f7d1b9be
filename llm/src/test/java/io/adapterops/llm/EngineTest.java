package io.adapterops.llm;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Tests that run the PyTorch engine: one root manager per test class, closed after it. */
abstract class EngineTest {
    static NDManager manager;

    @BeforeAll
    static void startEngine() {
        manager = Engines.newManager();
    }

    @AfterAll
    static void stopEngine() {
        manager.close();
    }
}

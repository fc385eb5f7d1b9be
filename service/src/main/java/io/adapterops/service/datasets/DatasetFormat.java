package io.adapterops.service.datasets;

/** The dataset layouts LLaMA-Factory users know (see the trainer module for parsing). */
public enum DatasetFormat {
    ALPACA, SHAREGPT, OPENAI, PREFERENCE
}

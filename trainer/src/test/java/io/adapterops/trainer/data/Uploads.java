package io.adapterops.trainer.data;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

/** Test uploads built from text. */
final class Uploads {
    private Uploads() {
    }

    static LoadedDataset load(String text) {
        return load(text, ReadOptions.defaults());
    }

    static LoadedDataset load(String text, ReadOptions options) {
        return new DatasetReader(options).load(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    static LoadedDataset load(byte[] bytes) {
        return new DatasetReader(ReadOptions.defaults()).load(new ByteArrayInputStream(bytes));
    }

    static String jsonl(String... rows) {
        return String.join("\n", rows) + "\n";
    }
}

package io.adapterops.trainer;

import ai.djl.ndarray.NDManager;
import io.adapterops.llm.Engines;
import io.adapterops.llm.ModelFolder;
import io.adapterops.trainer.data.DatasetReader;
import io.adapterops.trainer.data.DatasetSplit;
import io.adapterops.trainer.data.DatasetVersion;
import io.adapterops.trainer.data.LoadedDataset;
import io.adapterops.trainer.data.ReadOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The shapes of an SFT job's micro-batches, encoded, packed and ordered as {@link Trainer} does it,
 * without running the model: a benchmark peer that must do the same work needs the padded width
 * (rows are right-padded to the longest in the batch) as well as the real tokens.
 *
 * @param paddedWidth mean width of the batches (positions per row, padding included)
 * @param realPerRow mean tokens per row without padding
 */
public record BatchShapes(double paddedWidth, double realPerRow) {

    /** Micro-batches {@code from} (inclusive) to {@code to} (exclusive), counted from 0. */
    public static BatchShapes of(Path baseModelDir, Path dataset, TrainingConfig cfg, long from, long to)
            throws IOException {
        LoadedDataset data = new DatasetReader(ReadOptions.defaults()).load(dataset);
        DatasetSplit split = DatasetVersion.of(data.examples()).split(cfg.validationFraction(), cfg.seed());
        try (NDManager root = Engines.newManager(); ModelFolder folder = ModelFolder.load(baseModelDir, root)) {
            TrainingTemplate template = cfg.chatTemplate() != null ? TrainingTemplate.byName(cfg.chatTemplate())
                    : TrainingTemplate.of(folder.chatTemplate());
            ChatEncoder enc = new ChatEncoder(template, folder.tokenizer(), Trainer.specialTokens(folder),
                    cfg.maxSeqLen());
            EncodedSplit train = EncodedSplit.of(split.train(), enc, cfg, folder.model(), Trainer.ADAPTER);
            DataOrder order = new DataOrder(train.loss().size(), cfg.batchSize(), cfg.seed());
            long padded = 0;
            long real = 0;
            long rows = 0;
            for (long g = from; g < to; g++) {
                List<Integer> batch = order.batch(g);
                int width = batch.stream().mapToInt(i -> train.sequences().get(i).length()).max().orElse(0);
                padded += (long) width * batch.size();
                real += batch.stream().mapToInt(i -> train.sequences().get(i).length()).sum();
                rows += batch.size();
            }
            return new BatchShapes((double) padded / rows, (double) real / rows);
        }
    }
}

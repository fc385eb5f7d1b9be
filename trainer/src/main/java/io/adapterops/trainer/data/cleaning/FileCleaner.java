package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.ContentHash;
import io.adapterops.trainer.data.DatasetReader;
import io.adapterops.trainer.data.ReadOptions;
import io.adapterops.trainer.data.ValidationReport;

import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * Validates and cleans an uploaded file into a file of cleaned rows (canonical JSONL, named by its
 * SHA-256), streaming: rows are read, cleaned and written a chunk at a time, so memory holds
 * per-row hashes and signatures, never the file's rows (unless balancing is on).
 */
public final class FileCleaner {
    private final ReadOptions read;
    private final CleaningConfig config;
    private final TokenCounter tokens = new ApproximateTokenCounter();

    public FileCleaner(ReadOptions read, CleaningConfig config) {
        this.read = read;
        this.config = config;
    }

    /**
     * @param rowsOut    where the cleaned rows go; deleted when the validation is not accepted
     * @param keptTexts  a scratch file for the texts near-duplicate removal compares against; deleted
     *                   before this returns
     */
    public CleanedFile clean(Path input, Path rowsOut, Path keptTexts, FileProgress progress) throws IOException {
        long size = Math.max(1, Files.size(input));
        MessageDigest digest = ContentHash.sha256();
        ValidationReport validation;
        CleaningReport report;
        try (CountingInput in = new CountingInput(Files.newInputStream(input));
             OutputStream out = new BufferedOutputStream(Files.newOutputStream(rowsOut), 1 << 16);
             KeptTexts texts = KeptTexts.inFile(keptTexts)) {
            progress.at("validating and cleaning", 0, 0);
            CleaningRun run = new CleaningRun(config, tokens, texts, (row, canonical) -> {
                byte[] line = (canonical + "\n").getBytes(StandardCharsets.UTF_8);
                digest.update(line);
                try {
                    out.write(line);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, rows -> progress.at("validating and cleaning", rows, 0.95 * in.count / size));
            validation = new DatasetReader(read).read(in, run::accept);
            if (!validation.accepted()) {
                report = null;
            } else {
                progress.at("writing the report", validation.rowsRead(), 0.97);
                run.end();
                report = run.report("sha256:" + ContentHash.hex(digest.digest()));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (report == null) {
            Files.deleteIfExists(rowsOut);
            return new CleanedFile(validation, null, null, 0);
        }
        return new CleanedFile(validation, report, report.datasetVersion(), report.rowsOut());
    }

    /** Counts the bytes read, for the share of the file done. */
    private static final class CountingInput extends FilterInputStream {
        private long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count += Math.max(0, n);
            return n;
        }
    }
}

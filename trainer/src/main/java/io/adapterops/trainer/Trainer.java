package io.adapterops.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adapterops.llm.Engines;
import io.adapterops.llm.LlamaConfig;
import io.adapterops.llm.LlamaModel;
import io.adapterops.llm.LoraConfig;
import io.adapterops.llm.ModelFolder;
import io.adapterops.llm.ModelFormatException;
import io.adapterops.llm.PeftAdapter;
import io.adapterops.trainer.data.ContentHash;
import io.adapterops.trainer.data.DatasetKind;
import io.adapterops.trainer.data.DatasetReader;
import io.adapterops.trainer.data.DatasetSplit;
import io.adapterops.trainer.data.DatasetVersion;
import io.adapterops.trainer.data.Example;
import io.adapterops.trainer.data.LoadedDataset;
import io.adapterops.trainer.data.ReadOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Trains one LoRA adapter (SFT or DPO) on a base model folder and a dataset file, in f32.
 *
 * <p>Per optimizer step: {@code gradient_accumulation_steps} micro-batches forward and backward
 * inside one gradient collector (each micro-batch in its own {@code NDScope}), gradients copied to
 * the host, clipped by global norm, AdamW applied on the host, weights written back, gradients
 * zeroed. Every {@code eval_steps} the validation split is scored; every {@code save_steps} a
 * {@link Checkpoint} is written. A run finds the newest checkpoint in {@code workDir/checkpoints}
 * and continues from it exactly: same weights, optimizer moments, schedule position, data
 * position and random streams, so on the CPU it ends with the same bits as an uninterrupted run.
 *
 * <p>At the end the adapter goes to {@code workDir/adapter} (PEFT folder plus
 * {@code training_summary.json}) only after the merged-weights parity check passes.
 *
 * <p>Precision is f32 everywhere: bf16 crashes DJL's CPU engine, and half precision on a GPU has
 * not been proven with this engine. One job per JVM at a time (PyTorch allows one gradient
 * collector).
 */
public final class Trainer {

    /** The name the adapter is trained under inside the model. */
    static final String ADAPTER = "train";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARITY_PROMPTS = 3;
    private static final int PARITY_TOKENS = 64;
    private static final ReentrantLock ONE_JOB = new ReentrantLock();

    private final LongSupplier freeMemory;

    public Trainer() {
        this(null);
    }

    /** @param freeMemory overrides the device's free memory (bytes) for the memory check; null: measure it */
    Trainer(LongSupplier freeMemory) {
        this.freeMemory = freeMemory;
    }

    /**
     * Trains, resuming from {@code workDir/checkpoints} when it holds a checkpoint.
     *
     * @param cancelled polled before every step; true stops the run without publishing an adapter
     * @throws InsufficientMemoryException before anything is loaded, when the job cannot fit
     * @throws IllegalArgumentException for bad input (missing files, wrong dataset kind, foreign checkpoint)
     * @throws IllegalStateException when another job runs in this JVM, training diverges, or parity fails
     */
    public TrainingResult train(TrainingRequest request, TrainingListener listener, BooleanSupplier cancelled) {
        if (!ONE_JOB.tryLock()) {
            throw new IllegalStateException("another training job is running in this JVM (PyTorch allows one "
                    + "gradient collector per process); queue jobs instead");
        }
        try {
            return run(request, listener, cancelled);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            ONE_JOB.unlock();
        }
    }

    private TrainingResult run(TrainingRequest req, TrainingListener listener, BooleanSupplier cancelled)
            throws IOException {
        long started = System.nanoTime();
        TrainingConfig cfg = req.config();
        Path configFile = req.baseModelDir().resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException("base model folder " + req.baseModelDir() + " has no config.json");
        }
        if (!Files.isRegularFile(req.datasetFile())) {
            throw new IllegalArgumentException("dataset file " + req.datasetFile() + " does not exist");
        }
        LoadedDataset data = new DatasetReader(ReadOptions.defaults()).load(req.datasetFile());
        if (!data.report().accepted()) {
            throw new IllegalArgumentException("dataset " + req.datasetFile() + " is invalid: "
                    + data.report().problems().stream().limit(5).map(Object::toString).toList());
        }
        DatasetKind expected = cfg.objective() == Objective.SFT ? DatasetKind.SFT : DatasetKind.PREFERENCE;
        if (data.report().kind() != expected) {
            throw new IllegalArgumentException("stage " + cfg.objective().name().toLowerCase() + " needs "
                    + (expected == DatasetKind.SFT ? "an SFT dataset (conversations with replies)"
                    : "a preference dataset (chosen/rejected pairs)") + ", but " + req.datasetFile().getFileName()
                    + " holds " + (data.report().kind() == DatasetKind.SFT ? "SFT rows" : "preference pairs"));
        }
        LlamaConfig lc;
        try {
            lc = LlamaConfig.read(configFile);
        } catch (ModelFormatException e) {
            throw new IllegalArgumentException("base model: " + e.getMessage(), e);
        }
        Device device = Engines.device();
        MemoryEstimate memory = MemoryEstimate.of(lc, cfg, device.toString(),
                freeMemory != null ? freeMemory.getAsLong() : FreeMemory.of(device));
        if (!memory.fits()) {
            throw new InsufficientMemoryException(memory);
        }
        String datasetHash = req.datasetHash() != null ? req.datasetHash()
                : "sha256:" + ContentHash.hex(ContentHash.sha256().digest(Files.readAllBytes(req.datasetFile())));
        List<Example> examples = cfg.maxSamples() > 0 && cfg.maxSamples() < data.examples().size()
                ? data.examples().subList(0, cfg.maxSamples()) : data.examples(); // LLaMA-Factory keeps the first rows
        DatasetSplit split = DatasetVersion.of(examples).split(cfg.validationFraction(), cfg.seed());

        try (NDManager root = Engines.newManager(); ModelFolder folder = ModelFolder.load(req.baseModelDir(), root)) {
            JniUtils.setGradMode(false); // per thread, and on by default on threads the engine did not start on
            TrainingTemplate template;
            if (cfg.chatTemplate() != null) {
                template = TrainingTemplate.byName(cfg.chatTemplate());
            } else if (folder.chatTemplate() != null) {
                template = TrainingTemplate.of(folder.chatTemplate());
            } else {
                throw new IllegalArgumentException("the model folder's chat template is not one this runtime knows; "
                        + "set template (" + String.join(", ", Arrays.stream(TrainingTemplate.values())
                        .map(TrainingTemplate::lfName).toList()) + ")");
            }
            LlamaModel model = folder.model();
            ChatEncoder enc = new ChatEncoder(template, folder.tokenizer(), specialTokens(folder), cfg.maxSeqLen());
            EncodedSplit train = EncodedSplit.of(split.train(), enc, cfg, model, ADAPTER);
            EncodedSplit eval = EncodedSplit.of(split.validation(), enc, cfg, model, ADAPTER);
            if (train.loss().size() == 0) {
                throw new IllegalArgumentException("no training row keeps a reply within cutoff_len="
                        + cfg.maxSeqLen() + " tokens");
            }
            LoraConfig lora = cfg.loraConfig(req.baseModelDir().toString());
            model.addAdapter(ADAPTER, lora, cfg.seed());
            Map<String, long[]> shapes = model.adapterShapes(lora);
            AdamW adamW = new AdamW(cfg.beta1(), cfg.beta2(), cfg.adamEpsilon(), cfg.weightDecay(), shapes);
            JsonNode identity = identity(cfg, datasetHash);
            TrainerState state = TrainerState.fresh();
            Path checkpoints = req.workDir().resolve(Checkpoint.DIR);
            Optional<Checkpoint.Loaded> ck = Checkpoint.latest(checkpoints);
            Long resumedFrom = null;
            if (ck.isPresent()) {
                Checkpoint.Loaded c = ck.get();
                if (!c.identity().equals(identity)) {
                    throw new IllegalArgumentException("checkpoint " + c.dir() + " was made with another config or "
                            + "dataset (" + c.identity() + "); delete " + checkpoints + " to start over");
                }
                model.putAdapter(ADAPTER, lora, c.adapter().tensors());
                adamW.restore(c.optimizer(), c.optimizerSteps());
                state = c.state();
                resumedFrom = state.step();
            }
            HostParameters host = new HostParameters(model.trainableParameters(ADAPTER));

            DataOrder order = new DataOrder(train.loss().size(), cfg.batchSize(), cfg.seed());
            long totalMicro = (long) Math.ceil(cfg.epochs() * order.batchesPerEpoch());
            long totalSteps = cfg.maxSteps() > 0 ? cfg.maxSteps()
                    : (totalMicro + cfg.gradientAccumulation() - 1) / cfg.gradientAccumulation();
            LrSchedule schedule = new LrSchedule(cfg.scheduler(), cfg.learningRate(), cfg.warmupFor(totalSteps),
                    totalSteps);
            Map<String, Double> lastTrain = new LinkedHashMap<>();
            Map<String, Double> lastEval = new LinkedHashMap<>();
            long runStart = System.nanoTime();
            long stepsThisRun = 0;
            boolean earlyStopped = false;

            while (state.step() < totalSteps && !earlyStopped) {
                if (cancelled.getAsBoolean()) {
                    return new TrainingResult(null, null, lastTrain, Double.NaN, true, state.step());
                }
                long t0 = System.nanoTime();
                List<List<Integer>> micro = new ArrayList<>();
                for (int k = 0; k < cfg.gradientAccumulation(); k++) {
                    long g = state.microBatch() + k;
                    if (cfg.maxSteps() == 0 && g >= totalMicro) {
                        break;
                    }
                    micro.add(order.batch(g));
                }
                double normaliser = micro.stream().mapToDouble(b -> train.loss().weight(b)).sum();
                Engine.getInstance().setRandomSeed((int) (cfg.seed() * 31 + state.step())); // dropout stream
                double lossSum = 0;
                double weight = 0;
                long tokens = 0;
                Map<String, Double> sums = new LinkedHashMap<>();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    for (List<Integer> batch : micro) {
                        try (NDScope scope = new NDScope(); NDManager m = root.newSubManager()) {
                            ObjectiveLoss.Output out = train.loss().forward(m, batch, normaliser, true);
                            gc.backward(out.loss());
                            lossSum += out.lossSum();
                            weight += out.weight();
                            tokens += out.tokens();
                            out.sums().forEach((k, v) -> sums.merge(k, v, Double::sum));
                        }
                    }
                }
                double trainLoss = lossSum / weight;
                if (!Double.isFinite(trainLoss)) {
                    throw new IllegalStateException("training diverged: loss " + trainLoss + " at step "
                            + (state.step() + 1) + "; lower learning_rate");
                }
                double lr = schedule.at(state.step());
                double gradNorm = update(host, adamW, cfg.maxGradNorm(), lr);
                double seconds = (System.nanoTime() - t0) / 1e9;
                state = state.afterStep(micro.size(), trainLoss, seconds);
                stepsThisRun++;

                lastTrain.clear();
                lastTrain.put("train_loss", trainLoss);
                double w = weight;
                sums.forEach((k, v) -> lastTrain.put(k, v / w));
                Map<String, Double> extra = new LinkedHashMap<>(lastTrain);
                extra.remove("train_loss");
                Double evalLoss = null;
                boolean last = state.step() >= totalSteps;
                if (cfg.evaluate() && eval.loss().size() > 0
                        && ((cfg.evalSteps() > 0 && state.step() % cfg.evalSteps() == 0) || last)) {
                    lastEval = evaluate(eval.loss(), cfg.evalBatchSize(), root);
                    evalLoss = lastEval.get("eval_loss");
                    state = state.afterEval(evalLoss);
                    extra.putAll(lastEval);
                    earlyStopped = cfg.earlyStoppingPatience() > 0
                            && state.evalsWithoutImprovement() >= cfg.earlyStoppingPatience();
                }
                if (cfg.checkpointEvery() > 0 && state.step() % cfg.checkpointEvery() == 0 && !last && !earlyStopped) {
                    Checkpoint.write(checkpoints, lora, model.adapterTensors(ADAPTER), adamW.state(shapes),
                            adamW.steps(), state, identity);
                }
                double perStep = (System.nanoTime() - runStart) / 1e9 / stepsThisRun;
                listener.onProgress(new Progress(state.step(), totalSteps,
                        (double) state.microBatch() / order.batchesPerEpoch(), trainLoss, evalLoss, lr, gradNorm,
                        tokens / seconds, perStep * (totalSteps - state.step()), extra));
            }

            Map<String, Double> metrics = new LinkedHashMap<>(lastTrain);
            metrics.putAll(lastEval);
            if (!Double.isNaN(state.firstTrainLoss())) {
                metrics.put("first_train_loss", state.firstTrainLoss());
            }
            return publish(req, model, train, metrics, new TrainingSummary(cfg, datasetHash, req, template, metrics,
                    (System.nanoTime() - started) / 1e9, state.wallSeconds(), device, memory, train, eval,
                    state.step(), totalSteps, earlyStopped, resumedFrom));
        }
    }

    /**
     * Runs the parity check, then writes the adapter and its summary under a temporary name and
     * renames it to {@code workDir/adapter}: a failed check publishes nothing.
     */
    private static TrainingResult publish(TrainingRequest req, LlamaModel model, EncodedSplit train,
                                          Map<String, Double> metrics, TrainingSummary summary) throws IOException {
        List<int[]> prompts = new ArrayList<>();
        for (Sequence s : train.sequences().subList(0, Math.min(PARITY_PROMPTS, train.sequences().size()))) {
            prompts.add(Arrays.copyOf(s.ids(), Math.min(PARITY_TOKENS, s.length())));
        }
        double parity = ParityCheck.maxLogitDiff(model, ADAPTER, prompts, req.baseModelDir().resolve("config.json"));
        if (!(parity <= ParityCheck.TOLERANCE)) {
            throw new IllegalStateException("parity check failed: base+adapter and merged weights differ by "
                    + parity + " in a logit (tolerance " + ParityCheck.TOLERANCE + ")");
        }
        Path adapterDir = req.workDir().resolve("adapter");
        Path tmp = req.workDir().resolve(".adapter.tmp");
        Checkpoint.deleteTree(tmp);
        PeftAdapter.write(tmp, model, ADAPTER);
        summary.write(tmp.resolve(TrainingSummary.FILE), parity);
        Checkpoint.deleteTree(adapterDir);
        Files.move(tmp, adapterDir, StandardCopyOption.ATOMIC_MOVE);
        return new TrainingResult(adapterDir, adapterDir.resolve(TrainingSummary.FILE), metrics, parity, false,
                summary.steps());
    }

    /** Clips, applies AdamW on the host, writes the weights back and zeroes the gradients; returns the norm. */
    private static double update(HostParameters host, AdamW adamW, double maxNorm, double lr) {
        host.read();
        double norm = GradientClipping.clip(host.grads().values(), maxNorm);
        if (!Double.isFinite(norm)) {
            throw new IllegalStateException("training diverged: gradient norm " + norm + "; lower learning_rate");
        }
        adamW.step(host.weights(), host.grads(), lr);
        host.write();
        return norm;
    }

    /** Mean loss (and DPO reward metrics) over a split, keyed {@code eval_*}. */
    static Map<String, Double> evaluate(ObjectiveLoss loss, int batchSize, NDManager root) {
        double lossSum = 0;
        double weight = 0;
        Map<String, Double> sums = new LinkedHashMap<>();
        for (int start = 0; start < loss.size(); start += batchSize) {
            List<Integer> rows = new ArrayList<>();
            for (int i = start; i < Math.min(loss.size(), start + batchSize); i++) {
                rows.add(i);
            }
            try (NDScope scope = new NDScope(); NDManager m = root.newSubManager()) {
                ObjectiveLoss.Output out = loss.forward(m, rows, 1, false);
                lossSum += out.lossSum();
                weight += out.weight();
                out.sums().forEach((k, v) -> sums.merge(k, v, Double::sum));
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("eval_loss", lossSum / weight);
        double w = weight;
        sums.forEach((k, v) -> out.put("eval_" + k, v / w));
        return out;
    }

    /** BOS and EOS as LLaMA-Factory's templates write them: tokenizer_config.json's, EOS falling back to {@code <|endoftext|>}. */
    static TrainingTemplate.Tokens specialTokens(ModelFolder folder) throws IOException {
        Path file = folder.dir().resolve("tokenizer_config.json");
        JsonNode tc = Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
        Integer bos = tokenId(folder, tc.path("bos_token"));
        Integer eos = tokenId(folder, tc.path("eos_token"));
        if (eos == null) {
            eos = folder.tokenizer().tokenId("<|endoftext|>");
        }
        if (eos == null) {
            throw new IllegalArgumentException("the tokenizer has no EOS token (tokenizer_config.json eos_token) and "
                    + "no <|endoftext|>; the templates need one");
        }
        return new TrainingTemplate.Tokens(bos, eos);
    }

    /** A special token written as text or as {@code {"content": …}}. */
    private static Integer tokenId(ModelFolder folder, JsonNode token) {
        String text = token.isTextual() ? token.asText() : token.path("content").isTextual()
                ? token.get("content").asText() : null;
        return text == null ? null : folder.tokenizer().tokenId(text);
    }

    /** What a checkpoint must share with this run to be resumed: the config and the dataset. */
    private static JsonNode identity(TrainingConfig cfg, String datasetHash) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.set("config", JSON.readTree(JSON.writeValueAsString(cfg.toMap())));
        n.put("dataset_hash", datasetHash);
        return JSON.readTree(JSON.writeValueAsString(n));
    }
}

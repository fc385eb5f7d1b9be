package io.adapterops.trainer.cli;

import io.adapterops.trainer.bench.TrainBench;
import io.adapterops.trainer.worker.TrainerWorker;
import java.util.Arrays;

/**
 * One entry point for the trainer's commands, for a launcher or {@code java -cp … TrainerMain}:
 * {@code worker [port] [dataDir]}, {@code train config.yaml}, {@code bench [--peer [rounds]]}.
 */
public final class TrainerMain {

    private TrainerMain() {
    }

    public static void main(String[] args) throws Exception {
        String cmd = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (cmd) {
            case "worker" -> TrainerWorker.main(rest);
            case "train" -> TrainCli.main(rest);
            case "bench" -> TrainBench.main(rest);
            default -> {
                System.err.println("usage: worker [port] [dataDir] | train config.yaml | bench [--peer [rounds]]");
                System.exit(2);
            }
        }
    }
}

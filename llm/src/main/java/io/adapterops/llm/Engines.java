package io.adapterops.llm;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place the DJL PyTorch engine starts. It forces offline mode and opts out of DJL's
 * telemetry before the engine loads, so nothing is downloaded or sent at run time, and it picks
 * the CUDA device when the engine sees one (CPU otherwise).
 *
 * <p>GPU hosts select DJL's CUDA build by configuration, not code: put a CUDA libtorch in the
 * image and point {@code PYTORCH_LIBRARY_PATH} at it (or let the image build download it with
 * {@code PYTORCH_FLAVOR=cu128}); on CPU hosts set neither, the natives come from the Maven jar.
 */
public final class Engines {
    private static final Logger LOG = LoggerFactory.getLogger(Engines.class);
    private static boolean announced;

    private Engines() {
    }

    /** Returns the PyTorch engine, started offline and without telemetry. */
    public static synchronized Engine pytorch() {
        if (System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getenv("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        Engine engine = Engine.getEngine("PyTorch");
        if (!announced) {
            announced = true;
            int gpus = engine.getGpuCount();
            LOG.info("PyTorch {} on {}", engine.getVersion(), gpus > 0
                    ? gpus + " CUDA device(s), using " + Device.gpu()
                    : "the CPU (no usable CUDA device), " + Runtime.getRuntime().availableProcessors() + " cores");
        }
        return engine;
    }

    /** A new root manager on {@link #device()}; the caller closes it. */
    public static NDManager newManager() {
        return pytorch().newBaseManager(device());
    }

    /** The first GPU when the engine has one, else the CPU. */
    public static Device device() {
        return pytorch().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    /** Starts the engine and says which one and on what device; images run it to fetch CUDA natives at build time. */
    public static void main(String[] args) {
        Engine engine = pytorch();
        System.out.println("PyTorch " + engine.getVersion() + " on " + device() + ", GPUs: " + engine.getGpuCount());
    }
}

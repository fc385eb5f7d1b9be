package io.adapterops.trainer.data.cleaning;

/** Told now and then while a file is validated and cleaned, so a long upload can show where it is. */
@FunctionalInterface
public interface FileProgress {
    FileProgress NONE = (step, rowsRead, fraction) -> { };

    /**
     * @param step     what is being done
     * @param rowsRead rows read from the file so far
     * @param fraction of the work done, in [0, 1]
     */
    void at(String step, long rowsRead, double fraction);
}

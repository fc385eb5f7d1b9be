package io.adapterops.trainer.data;

/** What a dataset trains: supervised replies (SFT) or preferences between two replies (DPO). */
public enum DatasetKind {
    SFT,
    PREFERENCE
}

package io.adapterops.trainer;

/** What a job optimises: supervised replies (SFT) or preferences between two replies (DPO). */
public enum Objective {
    SFT,
    DPO
}

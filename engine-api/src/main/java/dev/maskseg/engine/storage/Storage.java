package dev.maskseg.engine.storage;

import dev.maskseg.engine.DType;

/** A flat buffer of elements owned by one backend. Host backends use {@link HostStorage}. */
public interface Storage {
    DType dtype();

    int length();

    /** Name of the backend whose memory holds this buffer. */
    String backendName();
}

package dev.octet.exec;

import java.util.ArrayDeque;

/** The buffer pools of one session: each run takes one, so concurrent runs never share arrays. */
public final class BufferPools {
    private final ArrayDeque<BufferPool> idle = new ArrayDeque<>();

    synchronized BufferPool take() {
        BufferPool p = idle.poll();
        return p != null ? p : new BufferPool();
    }

    synchronized void put(BufferPool p) {
        idle.push(p);
    }
}

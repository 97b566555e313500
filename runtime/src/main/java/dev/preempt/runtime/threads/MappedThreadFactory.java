package dev.preempt.runtime.threads;

import java.util.concurrent.ThreadFactory;

/** A factory whose platform threads (named, configured and numbered by the delegate) are mapped. */
final class MappedThreadFactory implements ThreadFactory {
    private final ThreadFactory delegate;
    private final String site;

    MappedThreadFactory(ThreadFactory delegate, String site) {
        this.delegate = delegate;
        this.site = site;
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = delegate.newThread(r);
        return t == null ? null : MappedThreads.adopt(t, site);
    }
}

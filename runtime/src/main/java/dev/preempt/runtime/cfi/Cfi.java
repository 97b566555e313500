package dev.preempt.runtime.cfi;

import dev.preempt.runtime.log.PreemptLog;
import dev.preempt.timer.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CFI's decisions, shared by the sink guards (backward edges) and the call guards (forward edges).
 *
 * <p>Modes, fixed at start (the agent never changes them later; nothing can switch them off):
 * <pre>
 * OFF      no guard is inserted anywhere; this class is never started
 * LEARN    every check is allowed; (sink, detail?, callers) and (site, target) are recorded and written to
 *          policy= every 5 s when changed and at exit, merged into the policy file read at start (so its
 *          hand-written rules and earlier learning survive)
 * AUDIT    decide as ENFORCE would; a refusal is written to the audit log and the call goes on (a
 *          refused forward edge is then cached by its call site, so it is logged once, not at every use)
 * ENFORCE  decide; a refusal is written to the audit log and throws CfiViolation at the check
 * </pre>
 * A decision: no app frame above the check -> allow (the JDK acting for itself); else the first
 * hand-written rule that matches decides; else a learned entry allows; else refuse ("unlearned").
 * Reaching preempt's own classes through reflection or method handles is always refused
 * ("self-protection"), in every mode but OFF.
 */
public final class Cfi {
    /** The values of {@code cfi=}: the agent's option table lists these constants (in lower case). */
    public enum Mode { OFF, LEARN, AUDIT, ENFORCE }

    private static final long LEARN_FLUSH_MILLIS = 5_000;

    /** Written once by {@link #start}, before any guard is inserted; read on every check. */
    private static volatile Mode mode = Mode.OFF;
    private static volatile CfiPolicy policy = CfiPolicy.empty();
    private static Path policyFile;
    private static AuditLog audit;
    private static final Set<String> learnedSinks = ConcurrentHashMap.newKeySet();
    private static final Set<String> learnedCalls = ConcurrentHashMap.newKeySet();
    private static volatile boolean dirty;
    private static final java.util.concurrent.atomic.AtomicLong violations = new java.util.concurrent.atomic.AtomicLong();

    private Cfi() {}

    /**
     * Starts CFI once per JVM. In LEARN mode {@code p} is the policy found at {@code file} (or empty).
     *
     * @throws IllegalStateException on a second call
     */
    public static synchronized void start(Mode m, CfiPolicy p, Path file, AuditLog log) {
        if (mode != Mode.OFF) {
            throw new IllegalStateException("CFI already started");
        }
        policy = p;
        policyFile = file.toAbsolutePath();
        audit = log;
        log.start(m.name().toLowerCase(Locale.ROOT), policyFile.toString());
        // Touch what the guards use so that no class of theirs first initialises inside a guarded JDK method.
        CallerFrames.atCallSite();
        CallerFrames.stableName("x$Proxy1");
        SinkGuard.describe(new java.io.File("x"));
        mode = m;
        if (m == Mode.LEARN) {
            Thread flusher = new Thread(Cfi::flushPeriodically, "preempt-cfi-learn");
            flusher.setDaemon(true);
            flusher.start();
        }
        afterApplicationHooks(Cfi::atExit);
    }

    /**
     * The last word at exit: learning must include what the app's own shutdown hooks did (log4j stops its
     * configuration there), and the JDK runs application hooks concurrently, so an ordinary hook could
     * write the policy before theirs ran. A system hook slot runs after all application hooks have ended
     * (JDK 25 {@code java.lang.Shutdown}: slot 0 console, 1 application hooks, 2 delete-on-exit; 10 slots);
     * preempt takes the last. The agent exports {@code jdk.internal.access} to the runtime for this. If the
     * slot cannot be had, an ordinary hook is the fallback.
     */
    private static void afterApplicationHooks(Runnable hook) {
        Runnable safe = () -> {
            try {
                hook.run();
            } catch (Throwable t) {
                PreemptLog.once(PreemptLog.Level.WARN, "cfi-exit", "cfi: at exit: " + t);
            }
        };
        try {
            Object access = Class.forName("jdk.internal.access.SharedSecrets").getMethod("getJavaLangAccess").invoke(null);
            Class.forName("jdk.internal.access.JavaLangAccess").getMethod("registerShutdownHook", int.class, boolean.class, Runnable.class)
                    .invoke(access, 9, false, safe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            PreemptLog.info("cfi: no system shutdown slot (" + e + "): the policy is written by an ordinary shutdown hook");
            Runtime.getRuntime().addShutdownHook(new Thread(safe, "preempt-cfi-exit"));
        }
    }

    static Mode mode() {
        return mode;
    }

    static boolean active() {
        return mode != Mode.OFF;
    }

    /** A sink was reached; {@code detail} already described. Throws in ENFORCE when refused. */
    static void sink(Sink s, String detail) {
        CallerFrames.Frames f = CallerFrames.aboveSink();
        if (f.count() == 0 || (s.directOnly() && !f.directApp())) {
            return;
        }
        Mode m = mode;
        for (CfiRule r : policy.rules()) {
            if (r.matches(s, f.innermost(), detail)) {
                if (!r.allow() && m != Mode.LEARN) {
                    refuse("sink", s.id(), detail, null, f, r.label());
                }
                return;
            }
        }
        String key = s.id() + '\t' + (s.detailLearned() && detail != null ? detail : "") + '\t' + f.signature();
        if (m == Mode.LEARN) {
            if (learnedSinks.add(key)) dirty = true;
        } else if (!policy.hasSink(key)) {
            refuse("sink", s.id(), detail, null, f, "unlearned");
        }
    }

    /** A forward edge not in the call guard's cache: decides, and says whether the guard may cache it. */
    static boolean call(String site, String target, boolean preemptTarget) {
        if (preemptTarget) {
            refuseAlways("call", target, site, "self-protection");
            return false;
        }
        return edge(site + '\t' + target, site, target);
    }

    /**
     * A receiver not in the call guard's cache: the learned edge is (declared type, receiver class); the
     * audit record names the call site and {@code target} (the receiver's method). Says whether to cache.
     */
    static boolean receiver(String site, String declaredType, String receiverClass, String target) {
        return edge(declaredType + '\t' + receiverClass, site, target);
    }

    /** Learns, allows or refuses the forward edge {@code key} (a policy call entry) met at {@code site}. */
    private static boolean edge(String key, String site, String target) {
        if (mode == Mode.LEARN) {
            if (learnedCalls.add(key)) dirty = true;
            return true;
        }
        if (policy.hasCall(key)) {
            return true;
        }
        refuse("call", target, null, site, CallerFrames.atCallSite(), "unlearned");
        return true; // AUDIT (ENFORCE has thrown): cached, so an unseen edge is logged once, not at every use
    }

    /** App code asked the JDK for a reflective view of one of preempt's classes. */
    static void reflectOnPreempt(Class<?> target) {
        CallerFrames.Frames f = CallerFrames.aboveSink();
        if (f.count() > 0) {
            refuseAlways("reflect", target.getName(), null, "self-protection");
        }
    }

    private static void refuse(String kind, String what, String detail, String site, CallerFrames.Frames f, String rule) {
        Mode m = mode;
        violations.incrementAndGet();
        audit.record(new AuditLog.Entry(m.name().toLowerCase(Locale.ROOT), "deny", kind, what, detail, site, f, rule,
                policyFile.toString()));
        if (m == Mode.ENFORCE) {
            throw new CfiViolation("preempt cfi: refused " + kind + " " + what + (detail == null ? "" : " (" + detail + ")")
                    + (site == null ? "" : " at " + site) + " from [" + f.signature() + "]: " + rule);
        }
    }

    /** Self-protection holds in every mode: nothing legitimate reaches into preempt reflectively. */
    private static void refuseAlways(String kind, String what, String site, String rule) {
        CallerFrames.Frames f = CallerFrames.atCallSite();
        violations.incrementAndGet();
        audit.record(new AuditLog.Entry(mode.name().toLowerCase(Locale.ROOT), "deny", kind, what, null, site, f, rule,
                policyFile.toString()));
        throw new CfiViolation("preempt cfi: refused " + kind + " " + what + " from [" + f.signature() + "]: " + rule);
    }

    /** The policy as learned so far: the one read at start plus this run's entries. */
    static CfiPolicy learnedPolicy() {
        List<CfiPolicy.SinkEntry> s = new ArrayList<>();
        for (String k : learnedSinks) {
            String[] p = k.split("\t", 3);
            s.add(new CfiPolicy.SinkEntry(p[0], p[1], p[2]));
        }
        List<CfiPolicy.CallEdge> c = new ArrayList<>();
        for (String k : learnedCalls) {
            String[] p = k.split("\t", 2);
            c.add(new CfiPolicy.CallEdge(p[0], p[1]));
        }
        return policy.merge(new CfiPolicy(List.of(), s, c));
    }

    private static void flushPeriodically() {
        while (true) {
            try {
                Thread.sleep(LEARN_FLUSH_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            if (dirty) {
                writePolicy();
            }
        }
    }

    private static void atExit() {
        audit.close();
        if (mode == Mode.LEARN) {
            writePolicy();
        } else if (audit.dropped() > 0 || PreemptLog.enabled(PreemptLog.Level.INFO)) {
            PreemptLog.warn("cfi " + mode.name().toLowerCase(Locale.ROOT) + ": " + violations.get() + " refusals of " + audit.edges()
                    + " distinct edges, audit records written " + audit.written() + ", dropped " + audit.dropped() + " (" + audit.destination() + ")");
        }
    }

    /** Written to a temporary file and renamed over the policy, so a reader never sees half a policy. */
    private static synchronized void writePolicy() {
        dirty = false;
        CfiPolicy p = learnedPolicy();
        try {
            AtomicFiles.replace(policyFile, p.toJson().getBytes(StandardCharsets.UTF_8));
            PreemptLog.info("cfi learn: wrote " + policyFile + " (" + p.sinkCount() + " sink entries, " + p.callCount() + " call edges)");
        } catch (IOException | RuntimeException e) {
            dirty = true;
            PreemptLog.once(PreemptLog.Level.WARN, "cfi-write:" + e.getClass().getName(), "cfi learn: cannot write " + policyFile + ": " + e);
        }
    }
}

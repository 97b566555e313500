package dev.preempt.agent.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Runs a program in a forked JDK 25 JVM, with or without the agent, and returns what it did. Every
 * integration test goes through here so that each one exercises the real agent jar on a real JVM.
 *
 * <pre>{@code
 * ForkedJvm.Result r = ForkedJvm.java().agent("slice=2ms").classpath(dir).main("Hog").run();
 * }</pre>
 */
public final class ForkedJvm {
    /** The one VM warning appending to the boot class path always causes while CDS is on (see docs/options.md). */
    public static final String CDS_WARNING = "Sharing is only supported for boot loader classes because bootstrap classpath has been appended";

    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final List<String> classpath = new ArrayList<>();
    private String agentOptions;
    private boolean withAgent;
    private boolean agentLast;
    private String mainClass;
    private String jar;
    private Duration timeout = Duration.ofSeconds(60);
    private Path workDir;
    private boolean holdStdin;

    private ForkedJvm() {}

    /** A new JVM to configure. */
    public static ForkedJvm java() {
        return new ForkedJvm();
    }

    /** A JDK 25 JVM with the agent and these options, or the stock JVM when {@code options} is null. */
    public static ForkedJvm java(String options) {
        ForkedJvm jvm = java();
        return options == null ? jvm : jvm.agent(options);
    }

    /** The shaded agent jar under test. */
    public static Path agentJar() {
        return Path.of(property("preempt.agent.jar"));
    }

    /** The samples jar (legacy programs compiled with --release 8, and modern ones). */
    public static Path samplesJar() {
        return Path.of(property("preempt.samples.jar"));
    }

    /** A scratch directory under target/it for one test. */
    public static Path scratch(String name) {
        try {
            Path base = Path.of(System.getProperty("preempt.it.dir", "target/it"));
            Files.createDirectories(base);
            return Files.createTempDirectory(base, name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Compiles Java sources (class name to source text) for the given {@code --release} into a fresh
     * directory and returns it. Extra class-path entries may be given.
     */
    public static Path compile(int release, List<Path> cp, String... namesAndSources) {
        Path dir = scratch("classes");
        try {
            Path src = Files.createDirectories(dir.resolve("src"));
            Path out = Files.createDirectories(dir.resolve("classes"));
            List<String> options = new ArrayList<>(List.of("--release", String.valueOf(release), "-nowarn", "-Xlint:-options", "-d", out.toString()));
            if (!cp.isEmpty()) {
                options.add("-cp");
                options.add(cp.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)));
            }
            List<java.io.File> files = new ArrayList<>();
            for (int i = 0; i < namesAndSources.length; i += 2) {
                Path f = src.resolve(namesAndSources[i].replace('.', '/') + ".java");
                Files.createDirectories(f.getParent());
                Files.writeString(f, namesAndSources[i + 1]);
                files.add(f.toFile());
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            java.io.StringWriter errors = new java.io.StringWriter();
            var fm = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
            boolean ok = javac.getTask(errors, fm, null, options, null, fm.getJavaFileObjectsFromFiles(files)).call();
            if (!ok) {
                throw new IllegalStateException("compilation failed:\n" + errors);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of a test program under {@code src/test/resources} ({@code /it/cfi/RulesApp.java}). */
    public static String resource(String path) {
        try (java.io.InputStream in = ForkedJvm.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalArgumentException("no test resource " + path);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of a file a forked JVM may have written (an audit log), or none if it wrote nothing. */
    public static List<String> linesOf(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compiles one class with no extra class path. */
    public static Path compile(int release, String className, String source) {
        return compile(release, List.of(), className, source);
    }

    /** Attach the agent with these options ("" for none). */
    public ForkedJvm agent(String options) {
        this.withAgent = true;
        this.agentOptions = options;
        return this;
    }

    public ForkedJvm jvmArg(String... a) {
        jvmArgs.addAll(List.of(a));
        return this;
    }

    public ForkedJvm classpath(Path... entries) {
        for (Path p : entries) classpath.add(p.toString());
        return this;
    }

    public ForkedJvm main(String mainClass, String... programArgs) {
        this.mainClass = mainClass;
        this.args.addAll(List.of(programArgs));
        return this;
    }

    /** Runs {@code java -jar jar args} instead of a main class. */
    public ForkedJvm jar(Path jarFile, String... programArgs) {
        this.jar = jarFile.toString();
        this.args.addAll(List.of(programArgs));
        return this;
    }

    /** Put preempt's -javaagent after the JVM arguments (so other agents given there load first). */
    public ForkedJvm agentLast() {
        this.agentLast = true;
        return this;
    }

    public ForkedJvm timeout(Duration t) {
        this.timeout = t;
        return this;
    }

    public ForkedJvm workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    /** Keep the JVM's stdin open (and empty) until it exits, so a read of System.in blocks instead of seeing EOF. */
    public ForkedJvm holdStdin() {
        this.holdStdin = true;
        return this;
    }

    /** The command line that {@link #run()} executes. */
    public List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(property("preempt.java"));
        String agentArg = "-javaagent:" + agentJar() + (agentOptions == null || agentOptions.isEmpty() ? "" : "=" + agentOptions);
        if (withAgent && !agentLast) {
            cmd.add(agentArg);
        }
        cmd.addAll(jvmArgs);
        if (withAgent && agentLast) {
            cmd.add(agentArg); // after the other -javaagent options given as JVM arguments: loaded after them
        }
        if (!classpath.isEmpty()) {
            cmd.add("-cp");
            cmd.add(String.join(java.io.File.pathSeparator, classpath));
        }
        if (jar != null) {
            cmd.add("-jar");
            cmd.add(jar);
        } else if (mainClass != null) {
            cmd.add(mainClass);
        }
        cmd.addAll(args);
        return cmd;
    }

    /** Starts the JVM and waits for it; a JVM that outlives the timeout is killed and reported so. */
    public Result run() {
        List<String> cmd = command();
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            if (workDir != null) pb.directory(workDir.toFile());
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().remove("_JAVA_OPTIONS");
            Process p = pb.start();
            if (!holdStdin) {
                p.getOutputStream().close();
            }
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
            }
            p.getOutputStream().close();
            return new Result(cmd, finished ? p.exitValue() : -1, !finished, out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts the JVM in the background (stderr merged into stdout) for a test that looks at it while it runs:
     * attaching, dump tools. Close it (try-with-resources) so that a target left waiting is killed.
     */
    public Target start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command()).redirectErrorStream(true);
        if (workDir != null) pb.directory(workDir.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        return new Target(pb.start());
    }

    /** A JVM running in the background ({@link #start()}), read line by line; every line read is kept. */
    public static final class Target implements AutoCloseable {
        private final Process process;
        private final java.io.BufferedReader out;
        private final List<String> output = new ArrayList<>();

        private Target(Process process) {
            this.process = process;
            this.out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        public long pid() {
            return process.pid();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Reads until a line equal to {@code line}; throws if the output ends first. The lines before it. */
        public List<String> readUntil(String line) throws IOException {
            int from = output.size();
            for (String l; (l = out.readLine()) != null; ) {
                if (l.equals(line)) {
                    return List.copyOf(output.subList(from, output.size()));
                }
                output.add(l);
            }
            throw new AssertionError("the target ended without printing '" + line + "':\n" + String.join("\n", output));
        }

        /** Reads the rest of its output and waits for its exit (killed after 60 s); its exit code. */
        public int finish() throws IOException, InterruptedException {
            for (String l; (l = out.readLine()) != null; ) {
                output.add(l);
            }
            close();
            return process.exitValue();
        }

        /** Every line read so far. */
        public List<String> output() {
            return output;
        }

        @Override
        public void close() throws InterruptedException {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<read failed: " + e + ">";
            }
        }, r -> Thread.ofPlatform().daemon().start(r));
    }

    private static String property(String key) {
        String v = System.getProperty(key);
        if (v == null) {
            throw new IllegalStateException("system property " + key + " is not set: run the integration tests through Maven (failsafe)");
        }
        return v;
    }

    /** What a forked JVM did. */
    public record Result(List<String> command, int exitCode, boolean timedOut, String stdout, String stderr) {

        /** stderr without the VM's CDS warning that every agent run prints. */
        public List<String> stderrLines() {
            return stderr.lines().filter(l -> !l.contains(CDS_WARNING)).toList();
        }

        /** Lines written by preempt's own log. */
        public List<String> agentLogLines() {
            return stderr.lines().filter(l -> l.startsWith("[preempt ") || l.startsWith("preempt:")).toList();
        }

        @Override
        public String toString() {
            return "command: " + String.join(" ", command) + "\nexit: " + exitCode + (timedOut ? " (timed out)" : "")
                    + "\n--- stdout ---\n" + tail(stdout) + "\n--- stderr ---\n" + tail(stderr);
        }

        private static String tail(String s) {
            return s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s;
        }

        /** Asserts exit 0, with the whole result in the message otherwise. */
        public Result assertOk() {
            if (timedOut || exitCode != 0) {
                throw new AssertionError("forked JVM failed\n" + this);
            }
            return this;
        }

        public String lower() {
            return (stdout + stderr).toLowerCase(Locale.ROOT);
        }
    }
}

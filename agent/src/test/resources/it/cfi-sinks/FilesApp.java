import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes through RandomAccessFile("rw"), FileChannel.open(WRITE) and Files.newByteChannel(WRITE, CREATE),
 * moves a file and opens it with DELETE_ON_CLOSE, and reads through RandomAccessFile("r"),
 * FileChannel.open(READ) and Files.newByteChannel(). Arguments: who
 * does it ({@code app}: the code path learned; {@code intruder}: another one), the directory written to,
 * and a file to read (anywhere). Prints one {@code what=ok|refused} line each.
 */
public class FilesApp {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        Path readable = Path.of(args[2]);
        Files.createDirectories(dir);
        if (args[0].equals("app")) {
            Writer.writeAll(dir);
            Reader.readAll(readable);
        } else {
            Intruder.writeAll(dir);
            Intruder.readAll(readable);
        }
        System.out.println("done");
    }

    static void report(String what, Action a) throws Exception {
        try {
            a.run();
            System.out.println(what + "=ok");
        } catch (SecurityException e) {
            System.out.println(what + "=refused");
        }
    }

    interface Action {
        void run() throws Exception;
    }

    static void raf(Path p, String mode) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), mode)) {
            if (mode.equals("r")) f.read(); else f.write(1);
        }
    }

    static void channel(Path p, StandardOpenOption... options) throws Exception {
        try (FileChannel c = FileChannel.open(p, options)) {
            if (options[0] == StandardOpenOption.READ) c.read(ByteBuffer.allocate(1)); else c.write(ByteBuffer.wrap(new byte[] {1}));
        }
    }

    static void byteChannel(Path p, StandardOpenOption... options) throws Exception {
        try (SeekableByteChannel c = Files.newByteChannel(p, options)) {
            if (options.length == 0 || options[0] == StandardOpenOption.READ) c.read(ByteBuffer.allocate(1)); else c.write(ByteBuffer.wrap(new byte[] {1}));
        }
    }

    static class Writer {
        static void writeAll(Path dir) throws Exception {
            report("raf rw", () -> raf(dir.resolve("raf.bin"), "rw"));
            report("channel write", () -> channel(dir.resolve("channel.bin"), StandardOpenOption.WRITE, StandardOpenOption.CREATE));
            report("byte channel write", () -> byteChannel(dir.resolve("bytes.bin"), StandardOpenOption.WRITE, StandardOpenOption.CREATE));
            report("move", () -> Files.move(dir.resolve("raf.bin"), dir.resolve("moved.bin"), StandardCopyOption.REPLACE_EXISTING));
            report("delete on close", () -> byteChannel(dir.resolve("moved.bin"), StandardOpenOption.READ, StandardOpenOption.DELETE_ON_CLOSE));
        }
    }

    static class Reader {
        static void readAll(Path p) throws Exception {
            report("raf r", () -> raf(p, "r"));
            report("channel read", () -> channel(p, StandardOpenOption.READ));
            report("byte channel read", () -> byteChannel(p));
        }
    }

    static class Intruder {
        static void writeAll(Path dir) throws Exception {
            report("raf rw", () -> raf(dir.resolve("raf.bin"), "rw"));
            report("channel write", () -> channel(dir.resolve("channel.bin"), StandardOpenOption.WRITE, StandardOpenOption.CREATE));
            report("byte channel write", () -> byteChannel(dir.resolve("bytes.bin"), StandardOpenOption.WRITE, StandardOpenOption.CREATE));
            report("move", () -> Files.move(dir.resolve("raf.bin"), dir.resolve("moved.bin"), StandardCopyOption.REPLACE_EXISTING));
            report("delete on close", () -> byteChannel(dir.resolve("moved.bin"), StandardOpenOption.READ, StandardOpenOption.DELETE_ON_CLOSE));
        }

        static void readAll(Path p) throws Exception {
            report("raf r", () -> raf(p, "r"));
            report("channel read", () -> channel(p, StandardOpenOption.READ));
            report("byte channel read", () -> byteChannel(p));
        }
    }
}

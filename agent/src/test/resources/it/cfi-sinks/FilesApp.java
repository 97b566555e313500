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
 * moves a file and opens it with DELETE_ON_CLOSE, creates a file with File.createNewFile and renames it with
 * File.renameTo, and reads through RandomAccessFile("r"),
 * FileChannel.open(READ) and Files.newByteChannel(). Arguments: who does it ({@link Via}), the directory
 * written to, and a file to read (anywhere).
 */
public class FilesApp {
    public static void main(String[] args) throws Exception {
        Via via = Via.of(args[0]);
        Path dir = Files.createDirectories(Path.of(args[1]));
        Path readable = Path.of(args[2]);
        via.report("raf rw", () -> raf(dir.resolve("raf.bin"), "rw"));
        via.report("channel write", () -> channel(dir.resolve("channel.bin"), StandardOpenOption.WRITE, StandardOpenOption.CREATE));
        via.report("byte channel write", () -> byteChannel(dir.resolve("bytes.bin"), StandardOpenOption.WRITE, StandardOpenOption.CREATE));
        via.report("move", () -> Files.move(dir.resolve("raf.bin"), dir.resolve("moved.bin"), StandardCopyOption.REPLACE_EXISTING));
        via.report("delete on close", () -> byteChannel(dir.resolve("moved.bin"), StandardOpenOption.READ, StandardOpenOption.DELETE_ON_CLOSE));
        via.report("create new", () -> dir.resolve("created.bin").toFile().createNewFile() ? null : "exists");
        via.report("rename", () -> dir.resolve("created.bin").toFile().renameTo(dir.resolve("renamed.bin").toFile()) ? null : "failed");
        via.report("raf r", () -> raf(readable, "r"));
        via.report("channel read", () -> channel(readable, StandardOpenOption.READ));
        via.report("byte channel read", () -> byteChannel(readable));
        System.out.println("done");
    }

    static Object raf(Path p, String mode) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), mode)) {
            if (mode.equals("r")) f.read(); else f.write(1);
        }
        return null;
    }

    static Object channel(Path p, StandardOpenOption... options) throws Exception {
        try (FileChannel c = FileChannel.open(p, options)) {
            return options[0] == StandardOpenOption.READ ? c.read(ByteBuffer.allocate(1)) : c.write(ByteBuffer.wrap(new byte[] {1}));
        }
    }

    static Object byteChannel(Path p, StandardOpenOption... options) throws Exception {
        try (SeekableByteChannel c = Files.newByteChannel(p, options)) {
            boolean read = options.length == 0 || options[0] == StandardOpenOption.READ;
            return read ? c.read(ByteBuffer.allocate(1)) : c.write(ByteBuffer.wrap(new byte[] {1}));
        }
    }
}

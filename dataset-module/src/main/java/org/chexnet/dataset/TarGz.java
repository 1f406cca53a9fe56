package org.chexnet.dataset;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.chexnet.common.AtomicFiles;

/**
 * Unpacks a .tar.gz into a directory with Apache Commons Compress (ustar, GNU and pax entries).
 * Only regular files and directories are accepted (no links, devices or FIFOs); entries may not
 * escape the directory; an archive without its end-of-archive blocks is truncated. Reading to the
 * end makes the gzip stream check its CRC-32 and length trailer, so a corrupt archive fails even
 * without a published checksum.
 */
final class TarGz {
  private TarGz() {}

  /**
   * @return the number of files written
   * @throws IOException naming the archive and the entry that is damaged or unsafe
   */
  static int extract(Path archive, Path outDir) throws IOException {
    Path root = outDir.toAbsolutePath().normalize();
    int files = 0;
    try (InputStream file = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
        GzipCompressorInputStream gzip = new GzipCompressorInputStream(file);
        EndCheckingTar tar = new EndCheckingTar(gzip)) {
      for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        String where = archive + ": tar entry '" + entry.getName() + "'";
        if (entry.isDirectory()) {
          Files.createDirectories(safe(where, root, entry.getName()));
        } else if (entry.getLinkFlag() == TarArchiveEntry.LF_NORMAL
            || entry.getLinkFlag() == TarArchiveEntry.LF_OLDNORM) {
          write(tar, where, entry.getSize(), safe(where, root, entry.getName()));
          files++;
        } else {
          throw new IOException(
              where
                  + ": unsupported entry type '"
                  + (char) entry.getLinkFlag()
                  + "'"
                  + (entry.isSymbolicLink() || entry.isLink() ? " (a link)" : "")
                  + " (only files and directories)");
        }
      }
      if (!tar.endedWithEndBlocks()) {
        throw new IOException(
            archive + ": truncated tar at byte " + tar.getBytesRead() + " (no end marker)");
      }
      // The rest is padding; reading it to the end checks the gzip trailer.
      gzip.transferTo(OutputStream.nullOutputStream());
    } catch (EOFException e) {
      throw new IOException(archive + ": corrupt gzip data: truncated (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(archive.toString())) {
        throw e;
      }
      throw new IOException(archive + ": corrupt gzip data: " + e.getMessage(), e);
    }
    return files;
  }

  /** A tar stream that knows whether it ended at a zero block or just ran out of bytes. */
  private static final class EndCheckingTar extends TarArchiveInputStream {
    private boolean zeroBlock;

    EndCheckingTar(InputStream in) {
      super(in);
    }

    /** Commons Compress ends quietly both at a zero block and where the bytes run out. */
    boolean endedWithEndBlocks() {
      return zeroBlock;
    }

    @Override
    protected boolean isEOFRecord(byte[] record) {
      boolean end = super.isEOFRecord(record);
      zeroBlock |= end && record != null;
      return end;
    }
  }

  private static Path safe(String where, Path root, String name) throws IOException {
    Path target = root.resolve(name).normalize();
    if (name.isEmpty() || name.startsWith("/") || !target.startsWith(root) || target.equals(root)) {
      throw new IOException(where + ": refusing entry '" + name + "' outside " + root);
    }
    return target;
  }

  /** Atomically ({@link AtomicFiles}): an interrupted unpack never leaves a partial image. */
  private static void write(InputStream in, String where, long size, Path target)
      throws IOException {
    AtomicFiles.write(
        target,
        out -> {
          long written;
          try {
            written = in.transferTo(out);
          } catch (EOFException gzipEnded) {
            throw gzipEnded;
          } catch (IOException tarEnded) {
            // Commons Compress: the tar stream ended inside the entry's data.
            throw new IOException(
                where + ": truncated entry (" + tarEnded.getMessage() + ")", tarEnded);
          }
          if (written != size) {
            throw new IOException(
                where + ": truncated entry (" + written + " of " + size + " bytes)");
          }
        });
  }
}

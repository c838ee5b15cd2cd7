package io.jvmm.ctl;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Opens a UNIX-domain stream connection and turns each way it can fail into a message an operator can act on.
 * The JDK's own channel is enough here: a QMP client never passes descriptors.
 */
public final class UnixSocketConnector {
    /** st_mode file type bits (S_IFMT) and the socket type (S_IFSOCK), from sys/stat.h. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSocketConnector() {
    }

    public static SocketChannel connect(Path socket) {
        checkIsSocket(socket);
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            return channel;
        } catch (ConnectException e) {
            closeQuietly(channel);
            throw new CtlException(ExitCode.CONNECTION, "nobody is listening on " + socket
                    + " (connection refused): the VMM that created it has probably exited;"
                    + " start it again or pass the socket of a running VMM with -s");
        } catch (IOException e) {
            closeQuietly(channel);
            String reason = String.valueOf(e.getMessage());
            if (reason.contains("Permission denied")) {
                throw new CtlException(ExitCode.CONNECTION, "permission denied on " + socket
                        + ": run jvmmctl as the user that started the VMM (often root)");
            }
            throw new CtlException(ExitCode.CONNECTION, "cannot connect to " + socket + ": " + reason, e);
        }
    }

    private static void checkIsSocket(Path socket) {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS) && !Files.exists(socket)) {
            throw new CtlException(ExitCode.CONNECTION, "no QMP socket at " + socket
                    + ": start the VMM with -qmp unix:" + socket + ",server=on,wait=off,"
                    + " or pass the right path with -s");
        }
        int mode;
        try {
            mode = (Integer) Files.getAttribute(socket, "unix:mode");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return; // cannot tell the file type here; connect() will say what is wrong
        }
        if ((mode & S_IFMT) != S_IFSOCK) {
            String kind = Files.isDirectory(socket) ? "a directory" : "not a socket";
            throw new CtlException(ExitCode.CONNECTION, socket + " is " + kind
                    + ": pass the path given to the VMM's -qmp unix:PATH option");
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing; the connect error is the one worth reporting
            }
        }
    }
}

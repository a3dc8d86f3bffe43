package dev.octet.cli;

import com.beust.jcommander.Parameters;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Properties;

@Parameters(commandNames = "version", commandDescription = "Show Octet's version and the JDK it runs on")
final class VersionCommand extends Main.Command {
    @Override
    int call(PrintStream out) {
        out.println("octet " + octetVersion());
        out.println("java " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + " "
            + System.getProperty("java.vm.name") + ", " + System.getProperty("os.arch") + ")");
        return 0;
    }

    /** The Maven project version, written into version.properties when the module is built. */
    static String octetVersion() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing from the octet-cli build");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new OctetException(ErrorCode.IO, "cannot read Octet's version: " + e.getMessage(), e);
        }
    }
}

import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.neo4j.cli.AdminTool;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.server.CommunityBootstrapper;
import org.neo4j.server.NeoBootstrapper;

/**
 * Runs a Neo4j Community server with HOME/conf/neo4j.conf; used by scripts/neo4j-local.
 * Usage: Neo4jLocalLauncher HOME BOLT_PORT. On first start the password in HOME/password is
 * set with Neo4j's own "neo4j-admin dbms set-initial-password". HOME/ready (holding the pid)
 * is written once a query runs and Bolt answers a handshake. SIGTERM stops the server cleanly.
 */
public final class Neo4jLocalLauncher {
    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]).toAbsolutePath(), conf = home.resolve("conf"), ready = home.resolve("ready");
        int boltPort = Integer.parseInt(args[1]);
        Files.deleteIfExists(ready);
        if (!Files.isDirectory(home.resolve("data/databases/system"))) {
            String password = Files.readString(home.resolve("password")).strip();
            int rc = AdminTool.execute(new ExecutionContext(home, conf), "dbms", "set-initial-password", password);
            if (rc != 0) System.exit(rc);
        }
        CommunityBootstrapper server = new CommunityBootstrapper();
        int rc = NeoBootstrapper.start(server, "--home-dir=" + home, "--config-dir=" + conf);
        if (rc != 0) System.exit(rc);
        try {
            server.getDatabaseManagementService().database("neo4j").executeTransactionally("RETURN 1");
            try (Socket s = new Socket()) { // Bolt handshake: magic, then proposals 5.8..5.0 and 4.4
                s.connect(new InetSocketAddress("127.0.0.1", boltPort), 10_000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write(new byte[] {0x60, 0x60, (byte) 0xB0, 0x17,
                    0, 8, 8, 5,  0, 0, 4, 4,  0, 0, 0, 0,  0, 0, 0, 0});
                if (new DataInputStream(s.getInputStream()).readInt() == 0) throw new IllegalStateException("Bolt handshake refused");
            }
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1); // the bootstrapper's shutdown hook stops the DBMS
        }
        Files.writeString(ready, ProcessHandle.current().pid() + "\n");
        System.out.println("neo4j-local: ready, bolt://127.0.0.1:" + boltPort);
    }
}

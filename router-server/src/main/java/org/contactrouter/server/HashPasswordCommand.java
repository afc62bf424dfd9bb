package org.contactrouter.server;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.contactrouter.access.Passwords;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "hash-password",
        description = {"Hash an agent's desktop password for agents.yaml (`password:`). Reads the password without "
                + "echo from the terminal, or one line from standard input, and prints the hash.",
                "Example: printf '%s\\n' \"$PASSWORD\" | java -jar router-server.jar hash-password"})
final class HashPasswordCommand implements Callable<Integer> {

    static final int MIN_LENGTH = 10;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Console console = System.console();
        char[] password = console != null ? console.readPassword("Password for the agent: ")
                : readLine();
        if (password == null || password.length < MIN_LENGTH) {
            spec.commandLine().getErr().println("hash-password: a password of at least " + MIN_LENGTH
                    + " characters, please (" + (password == null ? 0 : password.length) + " given)");
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(Passwords.hash(password));
        out.flush();
        java.util.Arrays.fill(password, '\0');
        return 0;
    }

    private static char[] readLine() throws IOException {
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        return line == null ? null : line.toCharArray();
    }
}

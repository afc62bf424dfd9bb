package org.contactrouter.channels.email;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The thread store, under {@code <dataDir>/mail/threads}: one JSON file per conversation, and an index from every
 * Message-ID of a thread (the customer's and ours) to its conversation. Every write goes to a temporary file that is
 * synced and then renamed over the old one, so a crash leaves the old or the new file, never half of one. The
 * {@link Mailbox} writes before it publishes and the {@link MailSender} before it sends, so the store always knows
 * at least what the router and the customer know. Changes are serialised per data directory within the process.
 */
final class MailThreads {

    private static final ConcurrentHashMap<Path, Object> LOCKS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path conversations;
    private final Path index;
    private final Object lock;

    MailThreads(Path dataDir) {
        Path root = dataDir.toAbsolutePath().normalize().resolve("mail").resolve("threads");
        this.conversations = root.resolve("conversations");
        this.index = root.resolve("message-ids");
        this.lock = LOCKS.computeIfAbsent(root, r -> new Object());
    }

    /** The thread of a conversation, if this mailbox has it. */
    Optional<MailThread> find(String conversation) throws IOException {
        Path file = conversations.resolve(MessageIds.sha256(bytes(conversation)) + ".json");
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(file), MailThread.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The conversation a Message-ID belongs to, or null when it is not in any known thread. */
    String conversationOf(String messageId) throws IOException {
        try {
            return new String(Files.readAllBytes(indexFile(messageId)), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Adds a customer's mail to its conversation (creating the thread for the first mail). The customer and
     * reply-to address follow the last mail; the never-auto-answer flag, once set, stays. Repeating the call for the
     * same mail changes nothing.
     */
    MailThread addCustomerMail(String conversation, String messageId, String customerAddress, String customerName,
                               String replyTo, String subject, boolean neverAutoAnswer) throws IOException {
        synchronized (lock) {
            MailThread old = find(conversation).orElse(null);
            LinkedHashSet<String> ids = new LinkedHashSet<>(old == null ? List.of() : old.messageIds());
            ids.add(messageId);
            MailThread updated = new MailThread(conversation, customerAddress,
                    customerName != null ? customerName : old == null ? null : old.customerName(),
                    replyTo, old != null && old.subject() != null ? old.subject() : subject,
                    new ArrayList<>(ids), messageId, neverAutoAnswer || old != null && old.neverAutoAnswer());
            write(conversation, updated);
            writeIndex(messageId, conversation);
            return updated;
        }
    }

    /**
     * Marks a conversation never-auto-answer without changing its customer: for an automatic mail from someone who is
     * not the customer (a bounce, an out-of-office, our own mail coming back).
     */
    MailThread addOtherMail(String conversation, String messageId, String fallbackAddress, String fallbackName,
                            String subject) throws IOException {
        synchronized (lock) {
            MailThread old = find(conversation).orElse(null);
            if (old == null) {
                return addCustomerMail(conversation, messageId, fallbackAddress, fallbackName, fallbackAddress, subject,
                        true);
            }
            LinkedHashSet<String> ids = new LinkedHashSet<>(old.messageIds());
            ids.add(messageId);
            MailThread updated = new MailThread(conversation, old.customerAddress(), old.customerName(), old.replyTo(),
                    old.subject(), new ArrayList<>(ids), old.lastCustomerMessageId(), true);
            write(conversation, updated);
            writeIndex(messageId, conversation);
            return updated;
        }
    }

    /** Adds a mail we sent, so the customer's answer to it continues the conversation. */
    MailThread addSentMail(MailThread thread, String messageId) throws IOException {
        synchronized (lock) {
            MailThread old = find(thread.conversation()).orElse(thread);
            LinkedHashSet<String> ids = new LinkedHashSet<>(old.messageIds());
            ids.add(messageId);
            MailThread updated = new MailThread(old.conversation(), old.customerAddress(), old.customerName(),
                    old.replyTo(), old.subject(), new ArrayList<>(ids), old.lastCustomerMessageId(),
                    old.neverAutoAnswer());
            write(old.conversation(), updated);
            writeIndex(messageId, old.conversation());
            return updated;
        }
    }

    private void write(String conversation, MailThread thread) throws IOException {
        writeAtomically(conversations.resolve(MessageIds.sha256(bytes(conversation)) + ".json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(thread));
    }

    private void writeIndex(String messageId, String conversation) throws IOException {
        Path file = indexFile(messageId);
        if (!Files.exists(file)) {
            writeAtomically(file, bytes(conversation));
        }
    }

    private Path indexFile(String messageId) {
        String hash = MessageIds.sha256(bytes(messageId));
        return index.resolve(hash.substring(0, 2)).resolve(hash);
    }

    /** Writes a file so that it is either wholly there or not at all, and on disk when this returns. */
    static void writeAtomically(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), ".tmp-", "");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

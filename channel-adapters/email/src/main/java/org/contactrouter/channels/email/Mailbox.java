package org.contactrouter.channels.email;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.FolderClosedException;
import jakarta.mail.Message;
import jakarta.mail.MessageRemovedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.StoreClosedException;
import jakarta.mail.search.FlagTerm;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactPublisher;
import org.contactrouter.events.Customer;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.EventIds;
import org.contactrouter.events.Identity;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.eclipse.angus.mail.imap.IMAPStore;

/**
 * Reads the support mailbox over IMAP and turns every mail into a {@code customer.message} contact event.
 *
 * <p>{@link #run()} is the reader's loop, for one thread of the server's: connect, open the folder, take in every
 * mail not yet \Seen, then wait for new mail with IMAP IDLE, checking every {@code pollInterval} in any case (and
 * only that when the server has no working IDLE). When the connection fails or is lost it connects again after 1 s,
 * doubling the wait up to 60 s. {@link #close()} ends the loop.
 *
 * <p>A mail is marked \Seen only after {@link ContactPublisher#publish} returned; until then the mailbox still has it
 * and it is read again at the next check, with the same event id ({@link EventIds#mail}, or one made from the mail's
 * hash when it has no Message-ID), so the router drops a second copy. Mails are fetched with BODY.PEEK, so reading
 * does not mark them. Before publishing, the thread store and the attachment store are written: the event names
 * only what is already on disk.
 *
 * <p>The conversation is the thread's first Message-ID: a mail whose In-Reply-To or References name a mail of a
 * known thread (the customer's or one the {@link MailSender} sent) continues that thread. Mail a machine sent
 * ({@link AutoSubmitted}) is still a contact, with the attributes {@code autoSubmitted=true} and
 * {@code autoSubmittedReason}, and its thread is never answered automatically. A mail over
 * {@code maxMessageBytes} or nested deeper than {@code maxMimeDepth}, or one that cannot be read, is kept whole under
 * {@code <dataDir>/mail/rejected/} and published as a notice saying so (attributes {@code rejected},
 * {@code rejectedReason}, {@code rawMessage}). Attachments are stored under {@code <dataDir>/attachments/<sha256>}
 * and listed in the attribute {@code attachments} as a JSON array of {@code {name, type, size, sha256}}.
 *
 * <p>Read the folder with one Mailbox at a time, and let nothing else mark its mails \Seen: a mail someone else
 * marks before the reader gets to it is not taken in.
 */
public final class Mailbox implements Runnable, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Mailbox.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration LAST_RETRY = Duration.ofSeconds(60);
    /** The customer of a mail without any usable sender address. */
    static final String UNKNOWN_SENDER = "unknown-sender@invalid";

    private final EmailSettings settings;
    private final ContactPublisher publisher;
    private final Clock clock;
    private final Session session;
    private final Session parsing;
    private final MailThreads threads;
    private final Attachments attachments;
    private final RejectedMail rejectedStore;
    private final String source;
    private final boolean useIdle;
    private final ScheduledExecutorService waker;
    private final Object signal = new Object();
    private final CountDownLatch finished = new CountDownLatch(1);

    private volatile boolean started;
    private volatile boolean stopping;
    private volatile IMAPFolder openFolder;
    private volatile MailboxState.Status status = MailboxState.Status.STOPPED;
    private volatile Instant since;
    private volatile String lastError;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    public Mailbox(EmailSettings settings, ContactPublisher publisher, Clock clock) {
        this(settings, publisher, clock, true);
    }

    /** With {@code useIdle} false the reader polls even when the server offers IDLE (for tests of polling). */
    Mailbox(EmailSettings settings, ContactPublisher publisher, Clock clock, boolean useIdle) {
        this.useIdle = useIdle;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.session = MailSessions.imap(settings);
        this.parsing = MailSessions.parsing();
        this.threads = new MailThreads(settings.dataDir());
        this.attachments = new Attachments(settings.dataDir());
        this.rejectedStore = new RejectedMail(settings.dataDir());
        this.source = "/email/" + settings.address();
        this.since = clock.instant();
        this.waker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "email-idle-waker " + settings.address());
            t.setDaemon(true);
            return t;
        });
    }

    /** What the reader is doing now. */
    public MailboxState state() {
        return new MailboxState(status, lastError, since, received.get(), published.get(), rejected.get());
    }

    /** The reader's loop; returns after {@link #close()} (or when its thread is interrupted). Run it once. */
    @Override
    public void run() {
        started = true;
        Duration retry = FIRST_RETRY;
        try {
            while (!stopping) {
                setStatus(MailboxState.Status.CONNECTING);
                IMAPStore store = null;
                IMAPFolder folder = null;
                try {
                    store = (IMAPStore) session.getStore(MailSessions.imapProtocol(settings));
                    store.connect(settings.imapHost(), settings.imapPort(), settings.imapUser(),
                            settings.imapPassword());
                    folder = (IMAPFolder) store.getFolder(settings.folder());
                    if (!folder.exists()) {
                        throw new MessagingException("the folder '" + settings.folder() + "' does not exist in "
                                + settings.imapUser() + "'s mailbox (email.folder)");
                    }
                    folder.open(Folder.READ_WRITE);
                    openFolder = folder;
                    retry = FIRST_RETRY;
                    lastError = null;
                    readUntilClosed(store, folder);
                } catch (MessagingException | IOException | RuntimeException e) {
                    if (stopping) {
                        break;
                    }
                    lastError = "IMAP " + settings.imapHost() + ':' + settings.imapPort() + ": " + connectionError(e)
                            + "; connecting again in " + retry.toSeconds() + " s";
                    LOG.log(System.Logger.Level.WARNING, "Mailbox {0}: {1}", settings.address(), lastError);
                    setStatus(MailboxState.Status.RECONNECTING);
                } finally {
                    openFolder = null;
                    closeQuietly(folder, store);
                }
                if (!stopping && status == MailboxState.Status.RECONNECTING) {
                    pause(retry);
                    retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
                }
            }
        } finally {
            setStatus(MailboxState.Status.STOPPED);
            finished.countDown();
        }
    }

    /**
     * Stops the reader: it leaves IDLE or its wait at once and closes the connection. Waits for that at most the
     * connect plus I/O timeout (a server that stopped answering cannot be logged out of faster).
     */
    @Override
    public void close() {
        stopping = true;
        synchronized (signal) {
            signal.notifyAll();
        }
        IMAPFolder folder = openFolder;
        if (folder != null) {
            try {
                waker.execute(() -> abortIdle(folder));
            } catch (RuntimeException e) {
                // already shut down
            }
        }
        if (started) {
            try {
                finished.await(settings.connectTimeout().plus(settings.ioTimeout()).toMillis() + 1000,
                        TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        waker.shutdownNow();
        if (!started) {
            setStatus(MailboxState.Status.STOPPED);
        }
    }

    private void readUntilClosed(IMAPStore store, IMAPFolder folder) throws MessagingException, IOException {
        boolean idle = useIdle && store.hasCapability("IDLE");
        while (!stopping) {
            boolean allTakenIn = takeInUnseen(folder);
            if (allTakenIn) {
                lastError = null;
            }
            if (stopping) {
                return;
            }
            if (idle) {
                setStatus(MailboxState.Status.IDLE);
                ScheduledFuture<?> wake = waker.schedule(() -> abortIdle(folder),
                        settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                try {
                    folder.idle(true);
                } catch (MessagingException e) {
                    if (stopping || isConnectionLost(e) || !folder.isOpen()) {
                        throw e;
                    }
                    idle = false;
                    lastError = "IMAP IDLE does not work on " + settings.imapHost() + " (" + InboundMail.describe(e)
                            + "); checking every " + settings.pollInterval().toSeconds() + " s instead";
                    LOG.log(System.Logger.Level.WARNING, "Mailbox {0}: {1}", settings.address(), lastError);
                } finally {
                    wake.cancel(false);
                }
            } else {
                setStatus(MailboxState.Status.POLLING);
                pause(settings.pollInterval());
                if (!stopping) {
                    folder.doCommand(p -> {
                        p.noop();
                        return null;
                    });
                }
            }
        }
    }

    /** Takes in every mail not yet \Seen, oldest first. True when each of them was published. */
    private boolean takeInUnseen(IMAPFolder folder) throws MessagingException, IOException {
        Message[] unseen = folder.search(new FlagTerm(new Flags(Flags.Flag.SEEN), false));
        FetchProfile profile = new FetchProfile();
        profile.add(FetchProfile.Item.FLAGS);
        profile.add(FetchProfile.Item.SIZE);
        folder.fetch(unseen, profile);
        boolean all = true;
        for (Message m : unseen) {
            if (stopping) {
                return false;
            }
            try {
                if (m.isExpunged() || m.isSet(Flags.Flag.SEEN)) {
                    continue;
                }
                all &= takeIn((IMAPMessage) m);
            } catch (MessageRemovedException e) {
                // deleted by someone else meanwhile: nothing to take in
            }
        }
        return all;
    }

    /** Publishes one mail and marks it \Seen. False when it stays unseen for the next check. */
    private boolean takeIn(IMAPMessage message) throws MessagingException, IOException {
        received.incrementAndGet();
        long size = message.getSize();
        byte[] raw = null;
        if (size <= settings.maxMessageBytes()) {
            raw = readAtMost(message, settings.maxMessageBytes());
        }
        InboundMail mail;
        if (raw == null) {
            // streamed to disk as it is read; a failure here (IMAP or disk) is retried after reconnecting
            RejectedMail.Stored stored;
            try (InputStream in = message.getMimeStream()) {
                stored = rejectedStore.store(in);
            }
            mail = InboundMail.tooLarge(parsing, stored.path(), stored.sha256(), Math.max(size, stored.size()),
                    settings);
        } else {
            try {
                mail = InboundMail.read(parsing, raw, settings, attachments, rejectedStore);
            } catch (IOException | RuntimeException e) {
                problem("a mail could not be stored under " + settings.dataDir() + " (" + InboundMail.describe(e)
                        + "); it stays unread and is tried again in " + settings.pollInterval().toSeconds() + " s");
                return false;
            }
        }
        String conversation;
        try {
            conversation = thread(mail);
        } catch (IOException | RuntimeException e) {
            problem("the thread of mail " + mail.messageId() + " could not be stored under " + settings.dataDir()
                    + " (" + InboundMail.describe(e) + "); it stays unread and is tried again in "
                    + settings.pollInterval().toSeconds() + " s");
            return false;
        }
        ContactEvent event;
        try {
            event = event(mail, conversation, message.getReceivedDate());
        } catch (RuntimeException e) {
            problem("mail " + mail.messageId() + " could not be made into a contact event (" + InboundMail.describe(e)
                    + "); it stays unread and is tried again in " + settings.pollInterval().toSeconds() + " s");
            return false;
        }
        try {
            publisher.publish(event);
        } catch (ContactPublisher.PublishException | RuntimeException e) {
            problem("mail " + event.id() + " could not be published (" + InboundMail.describe(e)
                    + "); it stays unread and is tried again in " + settings.pollInterval().toSeconds() + " s");
            return false;
        }
        published.incrementAndGet();
        if (mail.rejected() != null) {
            rejected.incrementAndGet();
        }
        message.setFlag(Flags.Flag.SEEN, true);
        return true;
    }

    /** The mail's conversation, recorded in the thread store. */
    private String thread(InboundMail mail) throws IOException {
        String conversation = threads.conversationOf(mail.messageId());
        for (int i = 0; conversation == null && i < mail.parents().size(); i++) {
            conversation = threads.conversationOf(mail.parents().get(i));
        }
        boolean known = conversation != null;
        if (!known) {
            conversation = mail.messageId();
        }
        String from = mail.fromAddress() == null ? UNKNOWN_SENDER : mail.fromAddress();
        boolean auto = mail.autoReason() != null || mail.fromAddress() == null;
        if (auto && known) {
            threads.addOtherMail(conversation, mail.messageId(), from, mail.fromName(), mail.subject());
        } else {
            threads.addCustomerMail(conversation, mail.messageId(), from, mail.fromName(),
                    mail.replyTo() == null ? from : mail.replyTo(), mail.subject(), auto);
        }
        return conversation;
    }

    private ContactEvent event(InboundMail mail, String conversation, Date receivedDate) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("messageId", mail.messageId());
        if (mail.autoReason() != null) {
            attributes.put("autoSubmitted", "true");
            attributes.put("autoSubmittedReason", mail.autoReason());
        }
        if (mail.fromAddress() == null) {
            attributes.put("senderUnknown", "true");
        }
        if (!mail.attachments().isEmpty()) {
            try {
                attributes.put("attachments", JSON.writeValueAsString(mail.attachments()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("attachments of " + mail.messageId() + " as JSON", e);
            }
        }
        if (mail.rejected() != null) {
            attributes.put("rejected", mail.rejectedReason());
            attributes.put("rejectedReason", mail.rejected());
            attributes.put("rawMessage", mail.rawMessage().toString());
        }
        String from = mail.fromAddress() == null ? UNKNOWN_SENDER : mail.fromAddress();
        CustomerMessage data = new CustomerMessage(Channel.EMAIL, conversation,
                Customer.of(mail.fromName(), Identity.email(from)), settings.address(), null, mail.subject(),
                mail.text(), attributes);
        Instant time = receivedDate == null ? clock.instant() : receivedDate.toInstant();
        return new ContactEvent(EventIds.mail(mail.messageId()), source, time,
                Channel.EMAIL.wireName() + ':' + conversation, settings.domain(), data);
    }

    /** The whole mail, or null when it is longer than {@code max} (its IMAP size may be wrong). */
    private static byte[] readAtMost(IMAPMessage message, long max) throws MessagingException, IOException {
        int limit = (int) Math.min(max, Integer.MAX_VALUE - 16);
        try (InputStream in = message.getMimeStream()) {
            byte[] raw = in.readNBytes(limit + 1);
            return raw.length > limit ? null : raw;
        }
    }

    private void problem(String text) {
        lastError = text;
        LOG.log(System.Logger.Level.WARNING, "Mailbox {0}: {1}", settings.address(), text);
    }

    /** Ends an IDLE in progress by sending a NOOP from the waker thread; the reader then checks the folder. */
    private void abortIdle(IMAPFolder folder) {
        try {
            folder.doCommand(p -> {
                p.noop();
                return null;
            });
        } catch (MessagingException | RuntimeException e) {
            // the reader sees the same failure and reconnects
        }
    }

    private void pause(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        synchronized (signal) {
            long left;
            while (!stopping && (left = end - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(signal, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                }
            }
        }
    }

    private void setStatus(MailboxState.Status s) {
        if (status != s) {
            since = clock.instant();
            status = s;
        }
    }

    private static boolean isConnectionLost(MessagingException e) {
        return e instanceof FolderClosedException || e instanceof StoreClosedException
                || e.getCause() instanceof IOException;
    }

    private static String connectionError(Exception e) {
        Throwable t = e;
        StringBuilder sb = new StringBuilder(InboundMail.describe(e));
        while (t.getCause() != null && t.getCause() != t && sb.length() < 400) {
            t = t.getCause();
            sb.append(" <- ").append(InboundMail.describe(t));
        }
        return sb.toString();
    }

    private static void closeQuietly(IMAPFolder folder, IMAPStore store) {
        try {
            if (folder != null && folder.isOpen()) {
                folder.close(false);
            }
        } catch (MessagingException | RuntimeException e) {
            // the connection is gone anyway
        }
        try {
            if (store != null) {
                store.close();
            }
        } catch (MessagingException | RuntimeException e) {
            // the connection is gone anyway
        }
    }
}

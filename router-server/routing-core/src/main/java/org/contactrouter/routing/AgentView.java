package org.contactrouter.routing;

import java.util.Map;
import org.contactrouter.events.Channel;
import org.contactrouter.events.Presence;

/**
 * A read-only picture of an agent.
 *
 * @param configured false once the agent was removed from the config (they may still finish their contacts)
 * @param load       open offers plus owned contacts, per channel (channels with none are absent)
 * @param handled    contacts wrapped up since the engine started
 */
public record AgentView(String id, String name, Presence presence, boolean configured, Map<Channel, Integer> load,
                        int handled) {
}

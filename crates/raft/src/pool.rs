//! Recycled allocations for the adapter's wire messages: byte buffers and
//! boxes for the in-process shortcut (see `api::WireMessage::local`). Each
//! node keeps its own small pool: what it receives it recycles, what it
//! sends it takes, so no allocator call is made per message once the pools
//! are warm. What they hold changes no run's behaviour; they are bounded,
//! so memory stays flat.

use crate::Message;

/// The most buffers (and boxes) a node keeps for reuse.
const POOL_MAX: usize = 64;
/// A fresh buffer's room: a vote or a heartbeat fits without growing.
const FRESH_BUFFER_BYTES: usize = 64;
/// Buffers that grew larger than this are freed rather than kept.
const BUFFER_KEEP_MAX_BYTES: usize = 64 * 1024;

/// A message's slot in the shortcut: `None` once the receiver took it.
pub(crate) type Slot = Option<Message>;

/// One node's recycled buffers and boxes.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    buffers: Vec<Vec<u8>>,
    // The boxes themselves are what is recycled: each travels inside a message.
    #[allow(clippy::vec_box)]
    slots: Vec<Box<Slot>>,
}

impl Pool {
    /// An empty buffer, recycled if one is free.
    pub fn buffer(&mut self) -> Vec<u8> {
        self.buffers.pop().unwrap_or_else(|| Vec::with_capacity(FRESH_BUFFER_BYTES))
    }

    /// Gives a buffer back for reuse.
    pub fn recycle_buffer(&mut self, mut buffer: Vec<u8>) {
        if buffer.capacity() == 0 || buffer.capacity() > BUFFER_KEEP_MAX_BYTES || self.buffers.len() >= POOL_MAX {
            return;
        }
        buffer.clear();
        self.buffers.push(buffer);
    }

    /// A boxed slot holding `message`, recycled if one is free.
    pub fn boxed(&mut self, message: Message) -> Box<Slot> {
        match self.slots.pop() {
            Some(mut slot) => {
                *slot = Some(message);
                slot
            }
            None => Box::new(Some(message)),
        }
    }

    /// Takes the message out of its slot and keeps the box for reuse.
    pub fn unbox(&mut self, mut slot: Box<Slot>) -> Option<Message> {
        let message = slot.take();
        if self.slots.len() < POOL_MAX {
            self.slots.push(slot);
        }
        message
    }
}

// ChanMap (go_chan): the memory-model article's mapManager ("GOOD: share memory by
// communicating"): one owner goroutine holds a plain Go map and is the only one to touch it.
// Puts are Update values sent on an unbuffered updates channel, as in the seed; Get, GetMany and
// Delete, which the seed lacks, send a request carrying a reply channel (buffered, so the owner
// never waits for the client) and wait for the answer. GetMany is one request for the whole
// batch and one reply, as the C++ ChannelMap::get_many: the owner reads every key and writes the
// results into the caller's slices (the caller waits for the reply, which orders the writes
// before its reads), so a batch of 16 keys costs one rendezvous, not 16. PutMany is the same for
// writes (for filling a map: one request for many puts, where C++ fills its channel map with
// put_async; the seed has no batched write).
// Guarantee: blocking (every call is a rendezvous with the owner). Read-your-writes: the updates
// channel is unbuffered, so a Put has been received by the owner when it returns, and the owner
// applies it before it takes its next request; a Get after the Put sees it.
// Safe: Get, GetMany, Put, PutMany and Delete from any goroutine. Not safe: any call after Close (a send on
// a closed channel panics); Close twice. Each Get, GetMany, PutMany and Delete allocates its reply
// channel.
package designs

// Update is the seed's message: set Key to Value.
type Update struct {
	Key, Value uint64
}

type mapReply struct {
	value uint64
	ok    bool
}

// mapRequest: a Get or Delete of key, or (keys != nil) a GetMany whose results go to values and
// present, or (put) a PutMany of keys and values.
type mapRequest struct {
	key     uint64
	delete  bool
	put     bool
	keys    []uint64
	values  []uint64
	present []bool
	reply   chan mapReply
}

type ChanMap struct {
	updates  chan Update
	requests chan mapRequest
	done     chan struct{}
}

func NewChanMap() *ChanMap { return NewChanMapWithOwner(nil) }

// NewChanMapWithOwner: the same map, its owner goroutine running hook first (OwnerHook).
func NewChanMapWithOwner(hook OwnerHook) *ChanMap {
	m := &ChanMap{updates: make(chan Update), requests: make(chan mapRequest), done: make(chan struct{})}
	go m.manage(hook)
	return m
}

func (m *ChanMap) manage(hook OwnerHook) {
	defer close(m.done)
	if hook != nil {
		hook()
	}
	data := make(map[uint64]uint64)
	for {
		select {
		case u, open := <-m.updates:
			if !open {
				return
			}
			data[u.Key] = u.Value
		case r := <-m.requests:
			if r.put {
				for i, k := range r.keys {
					data[k] = r.values[i]
				}
				r.reply <- mapReply{}
				continue
			}
			if r.keys != nil {
				for i, k := range r.keys {
					r.values[i], r.present[i] = data[k]
				}
				r.reply <- mapReply{}
				continue
			}
			v, ok := data[r.key]
			if r.delete {
				delete(data, r.key)
			}
			r.reply <- mapReply{v, ok}
		}
	}
}

func (m *ChanMap) Name() string { return "go_chan" }
func (m *ChanMap) Info() Info   { return Info{OwnerGoroutines: 1, Blocking: true} }

func (m *ChanMap) Put(key, value uint64) { m.updates <- Update{key, value} }

func (m *ChanMap) ask(key uint64, del bool) (uint64, bool) {
	reply := make(chan mapReply, 1)
	m.requests <- mapRequest{key: key, delete: del, reply: reply}
	r := <-reply
	return r.value, r.ok
}

func (m *ChanMap) Get(key uint64) (uint64, bool) { return m.ask(key, false) }

// GetMany: one request, one reply, for the whole batch.
func (m *ChanMap) GetMany(keys, values []uint64, present []bool) {
	checkBatch(keys, values, present)
	if len(keys) == 0 {
		return // a nil keys would read as a single Get
	}
	reply := make(chan mapReply, 1)
	m.requests <- mapRequest{keys: keys, values: values, present: present, reply: reply}
	<-reply
}

// PutMany puts keys[i] = values[i] in one request and waits for the owner to have applied them
// all (a Get after it sees them). It panics when the lengths differ.
func (m *ChanMap) PutMany(keys, values []uint64) {
	if len(values) != len(keys) {
		panic("PutMany: values must be as long as keys")
	}
	reply := make(chan mapReply, 1)
	m.requests <- mapRequest{put: true, keys: keys, values: values, reply: reply}
	<-reply
}

func (m *ChanMap) Delete(key uint64) bool {
	_, ok := m.ask(key, true)
	return ok
}

// Close stops the owner (closing the updates channel, as the seed's range loop ends) and waits
// until it has returned.
func (m *ChanMap) Close() {
	close(m.updates)
	<-m.done
}

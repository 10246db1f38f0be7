// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BridgeGateway} from "./core/BridgeGateway.sol";
import {Signature, TransferItem, TransferKind} from "./core/BridgeTypes.sol";

/// @title BttcGateway
/// @notice The gateway on BitTorrent Chain, where BTT is the native coin: locks BTT that leaves, releases
/// it when it comes back, and pays redenominated BTT for swapped BTTOLD from a reserve it holds apart.
/// @dev Its balance splits into: locked (backing bridged BTT on remote chains and transfers in flight),
/// the redenomination reserve, fees held, payouts that a recipient's code refused (claimable), and any
/// surplus: BTT that reached it outside its functions (a SELFDESTRUCT's or a coinbase's), counted by no
/// transfer and so never paid out. Compiled for Berlin, BTTC's rules (docs/protocol.md, "Chains"): no
/// transient storage, so its reentrancy guard is a storage flag that shares a slot with `locked`.
contract BttcGateway is BridgeGateway {
    /// @notice Gas given to a recipient's code with a payout; a recipient that needs more, or reverts,
    /// gets a claimable balance instead, so that no recipient can block a batch or burn its gas.
    uint256 public constant PAYOUT_GAS = 30_000;

    /// @dev What a payout's CALL costs before the recipient runs, at most: a cold account (2,600), a
    /// value transfer (9,000) and a new account (25,000).
    uint256 private constant PAYOUT_CALL_COST = 2_600 + 9_000 + 25_000;
    /// @dev Gas `_pay` needs left so that the recipient surely gets all of PAYOUT_GAS: the CALL's own
    /// cost, then PAYOUT_GAS after the 1/64 the caller keeps (EIP-150), plus the few instructions between
    /// the check and the CALL.
    uint256 private constant PAYOUT_GAS_NEEDED = PAYOUT_CALL_COST + (PAYOUT_GAS * 64) / 63 + 1 + 200;

    uint8 private constant NOT_ENTERED = 1;
    uint8 private constant ENTERED = 2;

    struct Reserve {
        uint128 balance; // BTT available for swaps
        uint128 paid; // all BTT paid for swaps
    }

    struct Held {
        uint128 fees;
        uint128 claimable; // sum of `claimable`
    }

    /// @dev BTT locked by bridging here and not yet released, and the reentrancy guard: one slot, so that
    /// a guarded delivery that releases BTT reads and writes one slot for both.
    struct Ledger {
        uint128 locked;
        uint8 guard; // NOT_ENTERED or ENTERED (never zero after construction, so entering is cheap)
    }

    Reserve private _reserve;
    Held private _held;
    Ledger private _ledger;
    mapping(address account => uint256) public claimable;

    event ReserveFunded(address indexed from, uint256 amount);
    event PayoutDeferred(address indexed recipient, uint256 amount);
    event Claimed(address indexed account, address indexed to, uint256 amount);

    error ReserveInsufficient(uint256 amount, uint256 available);
    error LockedInsufficient(uint256 amount, uint256 available);
    error NothingToClaim(address account);
    error PayoutFailed(address to, uint256 amount);
    error PayoutGasTooLow(uint256 gasLeft, uint256 needed);
    error ReentrantCall();

    constructor(
        address admin,
        address guardian,
        address[] memory initialValidators,
        uint8 initialThreshold,
        uint256 dailyLimit_
    ) BridgeGateway(admin, guardian, initialValidators, initialThreshold, dailyLimit_) {
        _ledger.guard = NOT_ENTERED;
    }

    /// @dev Payouts call the recipient, and a delivery keeps its replay records and daily allowance in
    /// memory until it ends, so everything that pays out is guarded against reentrancy.
    modifier nonReentrant() {
        if (_ledger.guard == ENTERED) revert ReentrantCall();
        _ledger.guard = ENTERED;
        _;
        _ledger.guard = NOT_ENTERED;
    }

    // ----- outbound -----

    /// @notice Bridges the BTT sent with the call (fee included) to `recipient` on `dstChainId`.
    /// @return seq The transfer's sequence number.
    function bridge(uint64 dstChainId, address recipient) external payable returns (uint64 seq) {
        uint256 fee = _checkBridgeOut(dstChainId, recipient, msg.value);
        seq = _nextSequence();
        if (fee != 0) _held.fees += uint128(fee); // fee < 2^104, see configureRoute
        _ledger.locked += uint128(msg.value - fee);
        emit TransferSent(seq, dstChainId, msg.sender, recipient, msg.value - fee, fee);
    }

    /// @notice Adds the BTT sent with the call to the redenomination reserve.
    function fundReserve() external payable {
        if (msg.value == 0) revert ZeroAmount();
        _reserve.balance += uint128(msg.value);
        emit ReserveFunded(msg.sender, msg.value);
    }

    // ----- inbound -----

    /// @dev Payouts call the recipient, so deliveries here are guarded against reentrancy (a remote
    /// gateway only mints, and needs no guard).
    function deliver(
        uint64 srcChainId,
        bytes32 srcGateway,
        TransferItem calldata item,
        Signature[] calldata signatures
    ) public override nonReentrant {
        super.deliver(srcChainId, srcGateway, item, signatures);
    }

    /// @dev Guarded as `deliver` is.
    function deliverBatch(
        uint64 srcChainId,
        bytes32 srcGateway,
        TransferItem[] calldata items,
        Signature[] calldata signatures
    ) public override nonReentrant returns (uint256) {
        return super.deliverBatch(srcChainId, srcGateway, items, signatures);
    }

    function _acceptsInbound(uint8 kind) internal pure override returns (bool) {
        return kind == TransferKind.BRIDGE || kind == TransferKind.SWAP;
    }

    function _payoutAvailable(uint8 kind) internal view override returns (uint256) {
        return kind == TransferKind.SWAP ? _reserve.balance : _ledger.locked;
    }

    function _revertPayoutUnavailable(uint8 kind, uint256 amount, uint256 available) internal pure override {
        if (kind == TransferKind.SWAP) revert ReserveInsufficient(amount, available);
        revert LockedInsufficient(amount, available);
    }

    function _onReceive(uint8 kind, address recipient, uint256 amount) internal override {
        if (kind == TransferKind.SWAP) {
            Reserve memory r = _reserve;
            // Safe: _payoutAvailable checked amount <= balance (< 2^128); paid only ever grows by what
            // left the balance, which never exceeds all BTT.
            _reserve = Reserve(r.balance - uint128(amount), r.paid + uint128(amount));
        } else {
            _ledger.locked -= uint128(amount); // _payoutAvailable checked amount <= locked
        }
        _pay(recipient, amount);
    }

    /// @dev Pays `amount` to `to` with PAYOUT_GAS for its code, or, if its code fails, makes it claimable.
    /// Whatever the recipient does, this costs a bounded amount of gas: its return data is never copied
    /// (a recipient reverting with 100 KB costs the batch nothing more), and it gets no more than
    /// PAYOUT_GAS. A submitter cannot force a deferral that enough gas would have paid: unless the
    /// recipient surely gets all of PAYOUT_GAS, the whole delivery reverts instead.
    function _pay(address to, uint256 amount) private {
        uint256 gasLeft = gasleft();
        if (gasLeft < PAYOUT_GAS_NEEDED) revert PayoutGasTooLow(gasLeft, PAYOUT_GAS_NEEDED);
        bool ok;
        assembly ("memory-safe") {
            ok := call(PAYOUT_GAS, to, amount, 0, 0, 0, 0)
        }
        if (!ok) {
            claimable[to] += amount;
            _held.claimable += uint128(amount);
            emit PayoutDeferred(to, amount);
        }
    }

    /// @notice Pays the caller's deferred payouts to `to`, with all the gas the call has.
    function claim(address payable to) external nonReentrant {
        _claim(msg.sender, to);
    }

    /// @notice Pays `account`'s deferred payouts to `account` itself, with all the gas the call has.
    /// Anyone may call it, so that a recipient contract that cannot call `claim` still gets its BTT.
    function claimFor(address payable account) external nonReentrant {
        _claim(account, account);
    }

    function _claim(address account, address payable to) private {
        uint256 amount = claimable[account];
        if (amount == 0) revert NothingToClaim(account);
        if (to == address(0)) revert ZeroRecipient();
        claimable[account] = 0;
        _held.claimable -= uint128(amount);
        emit Claimed(account, to, amount);
        _send(to, amount);
    }

    function _withdrawFees(address to, uint256 amount) internal override nonReentrant {
        uint256 held = _held.fees;
        if (amount > held) revert FeesInsufficient(amount, held);
        _held.fees = uint128(held - amount);
        _send(to, amount);
    }

    /// @dev Sends `amount` to `to` with all the gas left (the caller chose `to` and pays for it), copying
    /// no return data; reverts if `to` refuses it.
    function _send(address to, uint256 amount) private {
        bool ok;
        assembly ("memory-safe") {
            ok := call(gas(), to, amount, 0, 0, 0, 0)
        }
        if (!ok) revert PayoutFailed(to, amount);
    }

    // ----- accounting -----

    /// @notice BTT locked for bridged BTT on remote chains and transfers in flight: what bridging here
    /// locked less what deliveries released (BTT forced in from outside is not counted: see `accounting`).
    function lockedBalance() public view returns (uint256) {
        return _ledger.locked;
    }

    /// @notice What this gateway's side of the accounting invariant needs (docs/protocol.md, "Accounting invariant").
    /// @return locked BTT locked by bridging and not yet released.
    /// @return reserveBalance BTT available for swaps.
    /// @return reservePaid All BTT paid for swaps.
    /// @return feesHeld Fees held.
    /// @return claimableTotal Payouts deferred and not yet claimed.
    /// @return surplus Balance above what the five above account for: BTT that reached the gateway
    ///         outside its functions. Never paid out, and no sign of a fault.
    /// @return deficit Balance below what they account for (a fault: zero unless something is wrong).
    function accounting()
        external
        view
        returns (
            uint256 locked,
            uint256 reserveBalance,
            uint256 reservePaid,
            uint256 feesHeld,
            uint256 claimableTotal,
            uint256 surplus,
            uint256 deficit
        )
    {
        Reserve memory r = _reserve;
        Held memory held = _held;
        locked = _ledger.locked;
        uint256 owed = locked + r.balance + held.fees + held.claimable;
        uint256 balance = address(this).balance;
        (surplus, deficit) = balance >= owed ? (balance - owed, uint256(0)) : (uint256(0), owed - balance);
        return (locked, r.balance, r.paid, held.fees, held.claimable, surplus, deficit);
    }
}

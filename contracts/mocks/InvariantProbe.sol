// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IReputationStaking} from "../interfaces/IReputationStaking.sol";
import {IInsurancePool} from "../interfaces/IInsurancePool.sol";

/// @title InvariantProbe (test only)
/// @notice Reads, in one call, what the property tests check after every action.
contract InvariantProbe {
    function probe(
        IERC20 token,
        IReputationStaking staking,
        IInsurancePool pool,
        address[] calldata operators
    )
        external
        view
        returns (
            uint256 stakingBalance,
            uint256 bonded,
            uint256 unbonding,
            uint256 poolBalance,
            uint256 activeCover,
            uint256[] memory stakes
        )
    {
        stakingBalance = token.balanceOf(address(staking));
        bonded = staking.totalBonded();
        unbonding = staking.totalUnbonding();
        poolBalance = token.balanceOf(address(pool));
        activeCover = pool.activeCover();
        stakes = new uint256[](operators.length);
        for (uint256 i; i < operators.length; ++i) {
            IReputationStaking.StakeInfo memory s = staking.stakeOf(operators[i]);
            stakes[i] = s.bonded + s.unbonding;
        }
    }
}

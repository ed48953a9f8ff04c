import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BaseEntity } from '../database/base.entity.js';
import { Session } from './session.entity.js';

/** Every refresh token a session was given; a spent one presented again revokes the session. */
@Entity('refresh_tokens')
export class RefreshToken extends BaseEntity {
  @Index()
  @Column('uuid')
  sessionId!: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn()
  session?: Relation<Session>;

  // sha256 of the token: a leaked table does not leak usable tokens.
  @Index({ unique: true })
  @Column('text')
  tokenHash!: string;

  @Column('timestamptz', { nullable: true })
  spentAt!: Date | null;
}
